/**
 * The environment variables a service reads, found in its source with the TypeScript
 * parser: the keys of the shape given to `readEnv(...)` / `z.object(...)` in
 * `<part>/src/config.ts` (following `const` names and `...spreads`), plus every
 * `process.env.NAME` / `env.NAME` / `env['NAME']` in the service's and shared's sources.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './compose';

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

function unwrap(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

const isEnvObject = (e: ts.Expression, sf: ts.SourceFile): boolean => {
  const text = e.getText(sf);
  return text === 'process.env' || text === 'env';
};

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  node.forEachChild((child) => visit(child, fn));
}

/**
 * Variables read by one source text. `shapes`: also count the keys of env shapes
 * (only config.ts has them; elsewhere an upper-case key is just data).
 */
export function envVarsIn(source: string, shapes: boolean, fileName = 'source.ts'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const consts = new Map<string, ts.Expression>();
  visit(sf, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      consts.set(node.name.text, node.initializer);
    }
  });
  const names = new Set<string>();
  const addShape = (expression: ts.Expression, seen: Set<string>) => {
    const e = unwrap(expression);
    if (ts.isIdentifier(e)) {
      const init = consts.get(e.text);
      if (init && !seen.has(e.text)) addShape(init, new Set([...seen, e.text]));
      return;
    }
    // A shape made by a function (the service kit's `baseEnvShape(...)`): the object it returns.
    if (ts.isCallExpression(e)) {
      addShape(e.expression, seen);
      return;
    }
    if (ts.isArrowFunction(e) && !ts.isBlock(e.body)) {
      addShape(e.body, seen);
      return;
    }
    if (!ts.isObjectLiteralExpression(e)) return;
    e.properties.forEach((p) => {
      if (ts.isSpreadAssignment(p)) addShape(p.expression, seen);
      else if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) names.add(p.name.text);
    });
  };
  visit(sf, (node) => {
    if (ts.isCallExpression(node) && node.arguments[0] && shapes) {
      const callee = node.expression.getText(sf);
      if (callee === 'readEnv' || /(^|\.)object$/.test(callee)) addShape(node.arguments[0], new Set());
    } else if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression, sf)) {
      names.add(node.name.text);
    } else if (ts.isElementAccessExpression(node) && isEnvObject(node.expression, sf)
      && ts.isStringLiteralLike(node.argumentExpression)) {
      names.add(node.argumentExpression.text);
    }
  });
  return [...names].filter((n) => ENV_NAME.test(n)).sort();
}

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Everything `workspace` reads from the environment; throws when it has no src/config.ts. */
export function envVarsOfWorkspace(workspace: string): string[] {
  const config = path.join(ROOT, workspace, 'src', 'config.ts');
  if (!fs.existsSync(config)) throw new Error(`${workspace}/src/config.ts does not exist`);
  const files = [...tsFiles(path.join(ROOT, workspace, 'src')), ...tsFiles(path.join(ROOT, 'shared', 'src'))];
  const names = new Set<string>();
  // The variables every service reads are declared once in the service kit; config.ts spreads them.
  const kitEnv = path.join(ROOT, 'shared', 'src', 'kit', 'env.ts');
  const withKit = (file: string) => (fs.existsSync(kitEnv) ? `${fs.readFileSync(kitEnv, 'utf8')}\n` : '')
    + fs.readFileSync(file, 'utf8');
  files.forEach((file) => {
    const source = file === config ? withKit(file) : fs.readFileSync(file, 'utf8');
    envVarsIn(source, file === config, file).forEach((n) => names.add(n));
  });
  return [...names].sort();
}
