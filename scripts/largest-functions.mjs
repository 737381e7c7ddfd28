#!/usr/bin/env node
// The largest functions, classes and files of the hand-written TypeScript, measured by AST (the
// TypeScript compiler's own parser), for issue 14's "largest source file and function" figures.
//
//   node scripts/largest-functions.mjs [--top N] [--json] [dir ...]
//
// Default dirs: apps/mock-server/src and packages/*/src; generated code (any `generated/` folder)
// and `.d.ts` files are left out. A function's size is its lines from the first line of its node
// (the name for a declaration, the parameters for an arrow) to its closing brace; nested functions
// count towards their parent and are also listed on their own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt === -1 ? 5 : Number(args[topAt + 1]);
const json = args.includes('--json');
const given = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--top');
const dirs = given.length > 0 ? given : ['apps/mock-server/src', ...readdirSync(join(repo, 'packages')).map((name) => `packages/${name}/src`)];

function* sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'generated' && name !== 'node_modules') yield* sourceFiles(path);
    } else if (/\.(ts|tsx|mts)$/.test(name) && !/\.d\.m?ts$/.test(name)) {
      yield path;
    }
  }
}

/** The name a reader would search for: `Class.method`, `const name = () =>`, `{ key() {} }`. */
function nameOf(node) {
  const text = (name) => (name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined);
  if (ts.isConstructorDeclaration(node)) return `${text(node.parent.name) ?? '(class)'}.constructor`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
    const owner = ts.isClassLike(node.parent) ? `${text(node.parent.name) ?? '(class)'}.` : '';
    return `${owner}${text(node.name) ?? '(computed)'}`;
  }
  if (node.name) return text(node.name) ?? '(anonymous)';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return text(parent.name) ?? '(anonymous)';
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

const functions = [];
const classes = [];
const files = [];
for (const dir of dirs) {
  for (const path of sourceFiles(join(repo, dir))) {
    const text = readFileSync(path, 'utf8');
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const file = relative(repo, path);
    files.push({ file, lines: source.getLineAndCharacterOfPosition(source.end).line + (text.endsWith('\n') ? 0 : 1) });
    const lines = (node) => source.getLineAndCharacterOfPosition(node.end).line - source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const visit = (node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        functions.push({ name: nameOf(node), file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, lines: lines(node) });
      }
      if (ts.isClassLike(node)) classes.push({ name: node.name?.text ?? '(anonymous class)', file, lines: lines(node) });
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

const largest = (list) => [...list].sort((a, b) => b.lines - a.lines).slice(0, top);
const result = { functions: largest(functions), classes: largest(classes), files: largest(files) };
if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  for (const [title, list] of Object.entries(result)) {
    console.log(`largest ${title}:`);
    for (const entry of list) console.log(`  ${String(entry.lines).padStart(5)}  ${entry.name ? `${entry.name}  ` : ''}${entry.file}${entry.line ? `:${entry.line}` : ''}`);
  }
}
