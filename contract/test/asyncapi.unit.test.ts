/**
 * asyncapi.yaml is generated from the contract: the committed file is the
 * one the generator writes now, it is a valid AsyncAPI 3.0 document, and it
 * describes every event with its payload, its ack and its errors.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import specs from '@asyncapi/specs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { clientEvents, serverEvents } from '../src';
// eslint-disable-next-line import/no-relative-packages -- the generator is a repository script, not a package
import { ASYNCAPI_PATH, asyncApiDocument, renderAsyncApi } from '../../scripts/docs/asyncapi';

type Operation = {
  action: string; title: string; reply?: { messages: { $ref: string }[] }; messages: { $ref: string }[];
};

describe('contract: asyncapi.yaml', () => {
  it('is up to date with the contract (else run npm run docs:asyncapi)', () => {
    assert.equal(fs.readFileSync(ASYNCAPI_PATH, 'utf8'), renderAsyncApi(), 'asyncapi.yaml is stale: run npm run docs:asyncapi');
  });

  it('is a valid AsyncAPI 3.0 document', () => {
    const schema = structuredClone(specs.schemas['3.0.0']) as { definitions: Record<string, unknown> };
    // The spec bundles the draft-07 meta-schema, which Ajv already knows.
    delete schema.definitions['http://json-schema.org/draft-07/schema'];
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(YAML.parse(fs.readFileSync(ASYNCAPI_PATH, 'utf8')));
    assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('describes every client event with its request and ack (with its error codes), and every server event', () => {
    const doc = asyncApiDocument() as {
      operations: Record<string, Operation>;
      channels: { socket: { messages: Record<string, { name: string; payload: { oneOf?: unknown[] } }> } };
    };
    const message = (ref: { $ref: string }) => doc.channels.socket.messages[ref.$ref.split('/').pop() ?? ''];
    const operations = Object.values(doc.operations);
    Object.entries(clientEvents).forEach(([event, spec]) => {
      const operation = operations.find((op) => op.action === 'receive' && op.title === event);
      assert.ok(operation?.reply, event);
      assert.equal(message(operation.messages[0]!)?.name, event);
      const ack = JSON.stringify(message(operation.reply.messages[0]!)?.payload);
      spec.errors.forEach((code) => assert.ok(ack.includes(`"${code}"`), `${event} ack lists ${code}`));
    });
    Object.keys(serverEvents).forEach((event) => {
      assert.ok(operations.some((op) => op.action === 'send' && op.title === event), event);
    });
  });
});
