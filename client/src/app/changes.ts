/**
 * What the person does to messages already sent: edit their own, delete (their
 * own), react and take a reaction back, and pick a message to reply to. Each
 * answer is the message's new state (applied at once; every member gets it as
 * `message updated` too); each refusal is a notice in plain words.
 */
import { editMessageRequestSchema } from '@chat/contract';
import type { ChatMessagePayload } from '@chat/contract';
import {
  deleteMessage, editMessage, newClientId, react,
} from '@chat/protocol-client';
import type { ChangeResult } from '@chat/protocol-client';
import { describeError } from '../api/describe-error';
import type { AppContext } from './context';
import type { Messages } from './messages';

export class Changes {
  /** Changes waiting for their answer, by message id and kind: a double click sends once. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly ctx: AppContext, private readonly messages: Messages) {}

  private get store() { return this.ctx.store; }

  /** Saves new text for one of the person's messages; true once the server took it. */
  async edit(room: string, id: string, text: string): Promise<boolean> {
    const held = this.store.timelines.get(room)?.find(id);
    if (held && held.message === text) return true;
    const checked = editMessageRequestSchema.shape.message.safeParse(text);
    if (!checked.success) {
      this.ctx.toast(`This edit cannot be saved: it ${checked.error.issues[0]?.message ?? 'is not valid'}.`);
      return false;
    }
    // One key per edit: a retry of this edit does not apply twice.
    const clientId = newClientId();
    return this.run(`edit:${id}`, 'Could not save the edit.', (socket) => editMessage(socket, room, id, text, clientId));
  }

  /** Deletes a message: a "message deleted" placeholder keeps its place. */
  remove(room: string, id: string): Promise<boolean> {
    if (this.store.replyingTo?.id === id) this.cancelReply();
    return this.run(`delete:${id}`, 'Could not delete the message.', (socket) => deleteMessage(socket, room, id));
  }

  /** Whether the person reacted with `emoji`, also past the reactors the message lists. */
  reacted(message: ChatMessagePayload, emoji: string): boolean {
    return this.store.ownReactions.has(message, emoji);
  }

  /** Adds the person's reaction, or takes it back if they already reacted with this emoji. */
  toggleReaction(room: string, id: string, emoji: string): Promise<boolean> {
    const held = this.store.timelines.get(room)?.find(id);
    const add = !(held && this.reacted(held, emoji));
    return this.run(
      `react:${id}:${emoji}`,
      add ? 'Could not add the reaction.' : 'Could not remove the reaction.',
      async (socket) => {
        const result = await react(socket, room, id, emoji, add);
        this.store.ownReactions.record(result.message, emoji, add);
        return result;
      },
    );
  }

  replyTo(room: string, id: string): void {
    this.store.replyingTo = { room, id };
    this.store.notify('compose');
  }

  cancelReply(): void {
    if (!this.store.replyingTo) return;
    this.store.replyingTo = null;
    this.store.notify('compose');
  }

  private async run(
    key: string,
    failure: string,
    call: (socket: NonNullable<ReturnType<AppContext['liveSocket']>>) => Promise<ChangeResult>,
  ): Promise<boolean> {
    const socket = this.ctx.liveSocket();
    if (!socket) {
      this.ctx.toast(`${failure} You are not connected right now; try again once you are.`);
      return false;
    }
    if (this.inFlight.has(key)) return false;
    this.inFlight.add(key);
    try {
      const { message } = await call(socket);
      this.messages.changed(message);
      return true;
    } catch (err) {
      this.ctx.toast(`${failure} ${describeError(err)}`);
      return false;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
