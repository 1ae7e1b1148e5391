#!/usr/bin/env node
// One name per concept (issue 13): renames every public export whose name differs between subpaths to
// the one vocabulary of docs/concepts.md, and gives the generic distance helper one argument order,
// `vectorDistance(column, distance, value, options?)` (Knex: the knex instance first, as all its helpers).
//
// Usage: node scripts/codemods/one-api.mjs [--dry-run]   (from the repository root)
//
// Replayable and idempotent: every step is keyed on the OLD state (an export still called by its old
// name, a declaration whose parameters are still in the old order), so a second run finds nothing to do.
// Three passes:
//   1. TypeScript (compiler API, language service) over the tsconfig program (src, test, examples, bench,
//      scripts): argument reorders at every call of the resolved declaration, then symbol renames with
//      findRenameLocations (imports, re-exports, uses, `{@link}`), so short names such as `distance` or
//      `nearest` are renamed only where they ARE the vecpg export.
//   2. Text in .ts files (comments, strings, TSDoc examples) and in docs/*.md, README.md, DESIGN.md:
//      names unique to one old export are replaced on word boundaries; ambiguous names (`nearest`,
//      `distance`, MikroORM's `addVectorIndex`) only as calls or import-list entries, and only in a file
//      or code block that belongs to (or imports from) the subpath that renames them.
//   3. Calls written with literal distance names (`'cosine'`) in comments and Markdown are reordered
//      when the literal sits in the old position.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const dryRun = process.argv.includes('--dry-run');
if (!fs.existsSync(path.join(root, 'src/index.ts'))) {
  console.error('run from the repository root (src/index.ts not found)');
  process.exit(2);
}

/** [subpath entry, old export name, new export name]. */
const RENAMES = [
  // the extension
  ['drizzle', 'enablePgvector', 'createVectorExtension'],
  ['kysely', 'createPgvectorExtension', 'createVectorExtension'],
  ['kysely', 'dropPgvectorExtension', 'dropVectorExtension'],
  ['mikro-orm', 'addVectorExtension', 'createVectorExtension'],
  // migrations (the host's migration form: Drizzle SQL text, Kysely Migration, Prisma {up, down})
  ['drizzle', 'pgvectorMigrationSql', 'vectorExtensionMigration'],
  ['drizzle', 'dropPgvectorMigrationSql', 'dropVectorExtensionMigration'],
  ['drizzle', 'storageMigrationSql', 'vectorStorageMigration'],
  ['kysely', 'pgvectorMigration', 'vectorExtensionMigration'],
  ['prisma', 'extensionMigration', 'vectorExtensionMigration'],
  ['prisma', 'indexMigration', 'vectorIndexMigration'],
  ['prisma', 'storageMigration', 'vectorStorageMigration'],
  ['prisma', 'IndexMigration', 'VectorIndexMigration'],
  ['prisma', 'IndexMigrationOptions', 'VectorIndexMigrationOptions'],
  // indexes (Sequelize keeps addVectorIndex/removeVectorIndex: queryInterface.addIndex/removeIndex)
  ['mikro-orm', 'addVectorIndex', 'createVectorIndex'],
  // search
  ['drizzle', 'nearest', 'vectorSearch'],
  ['drizzle', 'NearestOptions', 'VectorSearchOptions'],
  ['drizzle', 'NearestRow', 'VectorSearchRow'],
  ['kysely', 'nearest', 'vectorSearch'],
  ['kysely', 'NearestOptions', 'VectorSearchOptions'],
  ['kysely', 'NearestRow', 'VectorSearchRow'],
  ['knex', 'knexSearch', 'vectorSearch'],
  ['knex', 'KnexSearchOptions', 'VectorSearchOptions'],
  ['mikro-orm', 'mikroSearch', 'vectorSearch'],
  ['mikro-orm', 'MikroSearchOptions', 'VectorSearchOptions'],
  // the generic distance helper
  ['drizzle', 'distance', 'vectorDistance'],
  ['kysely', 'distance', 'vectorDistance'],
  ['typeorm', 'distanceExpression', 'vectorDistance'],
  ['sequelize', 'distanceExpression', 'vectorDistance'],
  // type registration
  ['pg', 'registerTypes', 'registerVectorTypes'],
  ['postgres', 'registerTypes', 'registerVectorTypes'],
  ['pglite', 'registerPgliteTypes', 'registerVectorTypes'],
  ['typeorm', 'registerVecpg', 'registerVectorTypes'],
  // database wrappers
  ['knex', 'knexDb', 'wrapKnex'],
  ['mikro-orm', 'mikroDb', 'wrapMikroOrm'],
  ['prisma', 'prismaDb', 'wrapPrisma'],
  // the installed pgvector
  ['prisma', 'checkPgvector', 'requirePgvector'],
];

/**
 * Argument reorders of the generic distance helper: [subpath, export name before or after the rename,
 * parameter names in the old order, parameter names in the new order]. Applied only while the
 * declaration still lists its parameters in the old order.
 */
const REORDERS = [
  ['mikro-orm', ['vectorDistance'], ['distance', 'column', 'value'], ['column', 'distance', 'value']],
  ['knex', ['vectorDistance'], ['knex', 'distance', 'column', 'value'], ['knex', 'column', 'distance', 'value']],
  [
    'typeorm',
    ['distanceExpression', 'vectorDistance'],
    ['column', 'query', 'distance'],
    ['column', 'distance', 'query'],
  ],
  [
    'sequelize',
    ['distanceExpression', 'vectorDistance'],
    ['column', 'query', 'distance'],
    ['column', 'distance', 'query'],
  ],
];

const DISTANCE_LITERAL = /^(['"])(l2|ip|cosine|l1|hamming|jaccard)\1$/;

// ---------------------------------------------------------------------------------------------- pass 1

function loadProgram() {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const files = new Map(parsed.fileNames.map((f) => [path.resolve(f), { version: 0, text: undefined }]));
  const host = {
    getScriptFileNames: () => [...files.keys()],
    getScriptVersion: (f) => String(files.get(path.resolve(f))?.version ?? 0),
    getScriptSnapshot: (f) => {
      const entry = files.get(path.resolve(f));
      const text = entry?.text ?? (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return { service, program: service.getProgram(), files };
}

/** The declaration (a FunctionDeclaration, ClassDeclaration, …) a subpath exports under `name`. */
function exportedDeclaration(program, subpath, name) {
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(path.join(root, 'src', `${subpath}.ts`));
  if (!entry) return undefined;
  const moduleSymbol = checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) return undefined;
  let symbol = checker.getExportsOfModule(moduleSymbol).find((s) => s.escapedName === name);
  if (!symbol) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol.declarations?.find((d) => d.name && ts.isIdentifier(d.name)) ?? symbol.declarations?.[0];
  return decl;
}

function exportNames(program, subpath) {
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(path.join(root, 'src', `${subpath}.ts`));
  const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
  return new Set(moduleSymbol ? checker.getExportsOfModule(moduleSymbol).map((s) => String(s.escapedName)) : []);
}

/** Apply `{ file, start, end, text }` edits (non-overlapping) to disk; returns the changed files. */
function applyEdits(edits) {
  const byFile = new Map();
  for (const e of edits) {
    const list = byFile.get(e.file) ?? [];
    if (!list.some((x) => x.start === e.start && x.end === e.end)) list.push(e);
    byFile.set(e.file, list);
  }
  for (const [file, list] of byFile) {
    let text = fs.readFileSync(file, 'utf8');
    list.sort((a, b) => b.start - a.start);
    let last = Infinity;
    for (const e of list) {
      if (e.end > last) throw new Error(`overlapping edits in ${file} at ${e.start}`);
      text = text.slice(0, e.start) + e.text + text.slice(e.end);
      last = e.start;
    }
    if (!dryRun) fs.writeFileSync(file, text);
  }
  return [...byFile.keys()];
}

function paramNames(decl) {
  return (decl.parameters ?? []).map((p) => p.name.getText());
}

/** Permute the first `from.length` elements of `nodes` (arguments or parameters) from `from` to `to` order. */
function permuteEdits(file, sourceFile, nodes, from, to) {
  if (nodes.length < from.length) return [];
  const texts = from.map((_, i) => nodes[i].getText(sourceFile));
  return to
    .map((name, i) => ({
      file,
      start: nodes[i].getStart(sourceFile),
      end: nodes[i].getEnd(),
      text: texts[from.indexOf(name)],
    }))
    .filter((e, i) => e.text !== texts[i]);
}

function reorderPass() {
  const { service, program } = loadProgram();
  const edits = [];
  const log = [];
  for (const [subpath, names, from, to] of REORDERS) {
    const name = names.find((n) => exportedDeclaration(program, subpath, n));
    if (!name) continue;
    const decl = exportedDeclaration(program, subpath, name);
    const params = paramNames(decl).slice(0, from.length);
    if (params.join() !== from.join()) continue; // already in the new order
    const sf = decl.getSourceFile();
    edits.push(...permuteEdits(sf.fileName, sf, decl.parameters, from, to));
    let calls = 0;
    for (const ref of service.getReferencesAtPosition(sf.fileName, decl.name.getStart(sf)) ?? []) {
      const refFile = program.getSourceFile(ref.fileName);
      const node = findNode(refFile, ref.textSpan.start);
      let callee = node;
      if (callee?.parent && ts.isPropertyAccessExpression(callee.parent) && callee.parent.name === callee)
        callee = callee.parent;
      const call = callee?.parent;
      if (call && ts.isCallExpression(call) && call.expression === callee) {
        edits.push(...permuteEdits(ref.fileName, refFile, call.arguments, from, to));
        calls++;
      }
    }
    log.push(`reorder ${subpath} ${name}(${from.join(', ')}) -> (${to.join(', ')}): ${calls} call(s)`);
  }
  const changed = applyEdits(edits);
  return { log, changed };
}

function findNode(sourceFile, pos) {
  let found;
  const visit = (node) => {
    if (pos >= node.getStart(sourceFile) && pos < node.getEnd()) {
      if (ts.isIdentifier(node)) found = node;
      ts.forEachChild(node, visit);
    }
  };
  visit(sourceFile);
  return found;
}

function renamePass() {
  const { service, program } = loadProgram();
  const edits = [];
  const log = [];
  const applied = [];
  const planned = [];
  for (const [subpath, from, to] of RENAMES) {
    const decl = exportedDeclaration(program, subpath, from);
    if (!decl) continue; // renamed already (or gone)
    if (exportNames(program, subpath).has(to)) {
      log.push(`SKIP ${subpath}: ${from} -> ${to}: ${to} is already exported`);
      continue;
    }
    const sf = decl.getSourceFile();
    const nameNode = decl.name ?? decl;
    const pos = nameNode.getStart(sf);
    const plain =
      service.findRenameLocations(sf.fileName, pos, false, false, { providePrefixAndSuffixTextForRename: false }) ?? [];
    planned.push({ subpath, from, to, plain });
    applied.push([subpath, from, to]);
  }
  // A file where the new name is taken (it already declares or imports it, or two old names become the
  // same new name there) keeps its local names: its imports become `newName as oldName`.
  const touches = new Map();
  for (const p of planned)
    for (const loc of p.plain) {
      const set = touches.get(loc.fileName) ?? new Set();
      set.add(p);
      touches.set(loc.fileName, set);
    }
  const conflicted = new Set();
  for (const [file, set] of touches) {
    const text = fs.readFileSync(file, 'utf8');
    const byTo = new Map();
    for (const p of set) byTo.set(p.to, (byTo.get(p.to) ?? 0) + 1);
    for (const [to, n] of byTo) {
      if (n > 1 || new RegExp(`(?<![\\w$.])${escapeRe(to)}(?![\\w$])`).test(text)) conflicted.add(file);
    }
  }
  for (const p of planned) {
    let count = 0;
    for (const loc of p.plain) {
      let text = p.to;
      if (conflicted.has(loc.fileName)) {
        // keep the local name: only the import specifier changes, `{ old }` -> `{ new as old }`
        const node = findNode(program.getSourceFile(loc.fileName), loc.textSpan.start);
        const spec = node?.parent;
        if (!spec || !ts.isImportSpecifier(spec)) continue;
        if (spec.propertyName === undefined) text = `${p.to} as ${p.from}`;
      }
      edits.push({
        file: loc.fileName,
        start: loc.textSpan.start,
        end: loc.textSpan.start + loc.textSpan.length,
        text,
      });
      count++;
    }
    log.push(`rename ${p.subpath}: ${p.from} -> ${p.to}: ${count} location(s)`);
  }
  for (const file of conflicted) log.push(`  kept local names (aliased imports) in ${path.relative(root, file)}`);
  const changed = applyEdits(edits);
  return { log, changed, applied };
}

// ---------------------------------------------------------------------------------------- passes 2, 3

/** Names that were exported by exactly one subpath before and mean nothing else: safe on word boundaries. */
const AMBIGUOUS = new Set([
  'nearest',
  'distance',
  'addVectorIndex',
  'NearestOptions',
  'NearestRow',
  'registerTypes',
  'distanceExpression',
]);
// registerTypes is also the name of the `pgvector` package's own helper: contextual only.

function uniqueRenames() {
  const map = new Map();
  for (const [, from, to] of RENAMES) if (!AMBIGUOUS.has(from)) map.set(from, to);
  // Old names shared by two subpaths that both rename them to the same new name are still unique in meaning.
  map.set('NearestOptions', 'VectorSearchOptions');
  map.set('NearestRow', 'VectorSearchRow');
  map.set('distanceExpression', 'vectorDistance');
  return map;
}

/** Renames that apply only in the context of one subpath: only as calls or in import/export lists. */
function contextualRenames(subpaths) {
  const out = [];
  for (const [subpath, from, to] of RENAMES) {
    if (AMBIGUOUS.has(from) && !uniqueRenames().has(from) && subpaths.has(subpath)) out.push([from, to]);
  }
  return out;
}

const SUBPATHS = [
  'drizzle',
  'kysely',
  'prisma',
  'typeorm',
  'sequelize',
  'knex',
  'mikro-orm',
  'pglite',
  'postgres',
  'pg',
];

/** Subpaths a file belongs to by its path (src/orm/knex/…, docs/knex.md, examples/knex.ts, test/…knex…). */
function subpathsOfPath(file) {
  const rel = path.relative(root, file).replaceAll(path.sep, '/');
  const found = new Set();
  for (const s of SUBPATHS) {
    const re = new RegExp(`(^|[/._-])${s.replace('-', '[-_]?')}([/._-]|$)`);
    if (re.test(rel)) found.add(s);
  }
  if (/(^|\/)(docs\/drivers\.md|src\/drivers\/)/.test(rel)) for (const s of ['pg', 'postgres', 'pglite']) found.add(s);
  return found;
}

function importedSubpaths(text) {
  const found = new Set();
  for (const m of text.matchAll(/from\s+['"](?:vecpg|(?:\.\.\/)+src)\/([\w-]+?)(?:\.ts)?['"]/g)) found.add(m[1]);
  for (const m of text.matchAll(/from\s+['"]\.\.?\/orm\/([\w-]+)\//g)) found.add(m[1]);
  return found;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function replaceUnique(text) {
  for (const [from, to] of uniqueRenames()) {
    text = text.replace(new RegExp(`(?<![\\w$])${escapeRe(from)}(?![\\w$])`, 'g'), to);
  }
  return text;
}

function replaceContextual(text, subpaths) {
  for (const [from, to] of contextualRenames(subpaths)) {
    // a call, not a method or property: `nearest(` but not `.nearest(` or `prisma.document.nearest(`
    text = text.replace(new RegExp(`(?<![\\w$.])${escapeRe(from)}(?=[(<])`, 'g'), to);
    // an entry of an import/export list: `{ a, nearest, b }`
    text = text.replace(
      /(import|export)(\s+type)?\s*\{([^}]*)\}/g,
      (all, kw, type, list) =>
        `${kw}${type ?? ''} {${list.replace(new RegExp(`(?<![\\w$.])${escapeRe(from)}(?![\\w$])`, 'g'), to)}}`,
    );
  }
  return text;
}

/** Split a call's argument text at top-level commas (brackets and quotes respected); -1 if unbalanced. */
function splitArgs(text, open) {
  const args = [];
  let depth = 0;
  let quote = null;
  let start = open + 1;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) {
        args.push([start, i]);
        return { args, close: i };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push([start, i]);
      start = i + 1;
    }
  }
  return undefined;
}

/** Reorder literal-distance calls in prose/comments: `name(args)` whose literal sits at the old index. */
function reorderLiteralCalls(text, subpaths) {
  for (const [subpath, names, from, to] of REORDERS) {
    const oldIdx = from.indexOf('distance');
    const newIdx = to.indexOf('distance');
    // an old name unique to the helpers being reordered is reordered anywhere; the shared new name
    // `vectorDistance` only in the context of its subpath
    const candidates = names.filter((n) => n !== 'vectorDistance');
    if (subpaths.has(subpath)) candidates.push('vectorDistance');
    for (const name of candidates) {
      const re = new RegExp(`(?<![\\w$.])${escapeRe(name)}\\(`, 'g');
      let m;
      let out = '';
      let last = 0;
      while ((m = re.exec(text))) {
        const open = m.index + m[0].length - 1;
        const split = splitArgs(text, open);
        if (!split || split.args.length < from.length) continue;
        const texts = split.args.map(([s, e]) => text.slice(s, e));
        const trimmed = texts.map((t) => t.trim());
        if (!DISTANCE_LITERAL.test(trimmed[oldIdx]) || DISTANCE_LITERAL.test(trimmed[newIdx])) continue;
        const reordered = [...texts];
        to.forEach((p, i) => {
          const lead = texts[i].match(/^\s*/)[0];
          reordered[i] = lead + texts[from.indexOf(p)].trim();
        });
        out += text.slice(last, open + 1) + reordered.join(',');
        last = split.close;
      }
      text = out + text.slice(last);
    }
  }
  return text;
}

function walk(dir, exts, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.cache', 'test-results', 'generated', 'results'].includes(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, exts, acc);
    else if (exts.some((e) => entry.name.endsWith(e))) acc.push(p);
  }
  return acc;
}

function textPass() {
  const changed = [];
  const codeFiles = ['src', 'test', 'examples', 'bench', 'scripts']
    .flatMap((d) => walk(path.join(root, d), ['.ts', '.mts', '.mjs', '.js']))
    .filter((f) => !f.endsWith(path.join('codemods', 'one-api.mjs')));
  for (const file of codeFiles) {
    const before = fs.readFileSync(file, 'utf8');
    const subpaths = new Set([...subpathsOfPath(file), ...importedSubpaths(before)]);
    // In code only comments and strings are left to the text pass (pass 1 handled identifiers): the
    // unique names, plus contextual calls inside comments.
    // Pass 1 handled identifiers: here only comments and string literals.
    const after = before.replace(
      /\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g,
      (piece) =>
        piece.startsWith('/')
          ? replaceUnique(replaceContextual(reorderLiteralCalls(piece, subpaths), subpaths))
          : piece
              .split(/(\$\{[^}]*\})/)
              .map((part) => (part.startsWith('${') ? part : replaceUnique(part)))
              .join(''),
    );
    if (after !== before) {
      if (!dryRun) fs.writeFileSync(file, after);
      changed.push(file);
    }
  }
  // docs/concepts.md lists the old names on purpose (its old → new paragraph)
  const docs = [
    ...walk(path.join(root, 'docs'), ['.md']).filter((f) => !f.endsWith('concepts.md')),
    ...['README.md', 'DESIGN.md', 'bench/README.md'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f)),
  ];
  for (const file of docs) {
    const before = fs.readFileSync(file, 'utf8');
    const fileSubpaths = subpathsOfPath(file);
    // Fenced blocks: their own imports (or the file's subpath, or the last subpath imported above).
    let context = new Set(fileSubpaths);
    const parts = before.split(/(^```[^\n]*\n[\s\S]*?^```)/m);
    const out = parts.map((part) => {
      const fenced = part.startsWith('```');
      if (fenced) {
        const imported = importedSubpaths(part);
        if (imported.size > 0) context = new Set([...fileSubpaths, ...imported]);
        return replaceUnique(replaceContextual(reorderLiteralCalls(part, context), context));
      }
      // Prose: only inline code spans.
      return part.replace(/`[^`\n]+`/g, (span) =>
        replaceUnique(replaceContextualSpan(reorderLiteralCalls(span, fileSubpaths), fileSubpaths)),
      );
    });
    const after = out.join('');
    if (after !== before) {
      if (!dryRun) fs.writeFileSync(file, after);
      changed.push(file);
    }
  }
  return changed;
}

/** An inline code span in prose: `nearest`, `nearest()`, `nearest(db, …)` in a doc of that subpath. */
function replaceContextualSpan(span, subpaths) {
  for (const [from, to] of contextualRenames(subpaths)) {
    // `distance` alone is also a column and a word: only as a call
    span = span.replace(new RegExp(`^\`${escapeRe(from)}(?=${from === 'distance' ? '[(]' : '[(`<]'})`), `\`${to}`);
  }
  return replaceContextual(span, subpaths);
}

/** Exact text the passes above cannot infer (signatures written with placeholders): [file, old, new]. */
const FIXED_TEXT = [
  ['docs/mikro-orm.md', '`vectorDistance(name, …)`', '`vectorDistance(column, name, …)`'],
  ['docs/knex.md', '`vectorDistance(knex, name, …)`', '`vectorDistance(knex, column, name, …)`'],
];

function fixedTextPass() {
  const changed = [];
  for (const [rel, from, to] of FIXED_TEXT) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) continue;
    const before = fs.readFileSync(file, 'utf8');
    const after = before.split(from).join(to);
    if (after !== before) {
      if (!dryRun) fs.writeFileSync(file, after);
      changed.push(file);
    }
  }
  return changed;
}

// ------------------------------------------------------------------------------------------------ main

const reorder = reorderPass();
const rename = renamePass();
const text = [...textPass(), ...fixedTextPass()];
for (const line of [...reorder.log, ...rename.log]) console.log(line);
const all = new Set([...reorder.changed, ...rename.changed, ...text].map((f) => path.relative(root, f)));
console.log(`${dryRun ? 'would change' : 'changed'} ${all.size} file(s)${all.size ? ':' : ''}`);
for (const f of [...all].sort()) console.log(`  ${f}`);
