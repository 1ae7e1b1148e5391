/**
 * A guide in docs/ is a program: the test extracts it and runs it the way a new user would.
 *
 * How a guide marks its parts (the fence's info string):
 * - ```` ```ts file=main.ts ```` — the blocks naming the same file are concatenated, in document order,
 *   into that file of a new project (any language; `file=tsconfig.json` replaces the default tsconfig).
 *   `main.ts` is the program the test runs.
 * - ```` ```text output ```` — exactly what the program prints (on every database it supports).
 * - ```` ```sh run ```` — commands the user runs (drizzle-kit, prisma): each line is run in the project
 *   directory, with its node_modules/.bin on PATH, at that point of the document (so a file block after
 *   it appends to a file the command created, as a user pastes into it).
 * - ```` ```sh ```` — shown, not run; its `npm install …` lines name the packages the project gets
 *   (linked from this repository's node_modules, nothing is downloaded; `vecpg` itself is the packed
 *   tarball). A guide whose install lines name `@electric-sql/pglite` also runs without DATABASE_URL,
 *   i.e. on a fresh embedded PGlite; every guide runs on a fresh server database without the extension.
 * Other blocks (SQL, shell output) are shown, not run.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { codeBlocks } from './doc-blocks.ts';
import { ROOT } from './paths.ts';

const run = promisify(execFile);

export interface Guide {
  readonly doc: string;
  /** Project files, path → content (what the guide's blocks put in them). */
  readonly files: Map<string, string>;
  /** The files' blocks and the commands, in document order. */
  readonly steps: Array<{ readonly file: string; readonly text: string } | { readonly run: string }>;
  /** Packages the guide's `npm install` lines name, without versions, `vecpg` excluded. */
  readonly packages: string[];
  /** The guide's ```text output block. */
  readonly output: string;
  /** Whether the guide installs PGlite (then it also runs without DATABASE_URL). */
  readonly pglite: boolean;
}

const ATTR = /(?:^|\s)file=(\S+)/;

/** Read the marked parts of `doc` (a path from the repository root). */
export async function readGuide(doc: string): Promise<Guide> {
  const markdown = await readFile(resolve(ROOT, doc), 'utf8');
  const blocks = codeBlocks(markdown, ['ts', 'typescript', 'json', 'prisma', 'sql', 'sh', 'text']);
  const files = new Map<string, string>();
  const steps: Guide['steps'] = [];
  const outputs: string[] = [];
  const packages = new Set<string>();
  for (const b of blocks) {
    const file = ATTR.exec(b.meta)?.[1];
    if (file !== undefined) {
      const before = files.get(file);
      files.set(file, before === undefined ? `${b.text}\n` : `${before}\n${b.text}\n`);
      steps.push({ file, text: `${b.text}\n` });
    } else if (b.language === 'sh' && b.meta === 'run') {
      for (const line of b.text.split('\n'))
        if (line.trim() !== '' && !line.trim().startsWith('#')) steps.push({ run: line });
    } else if (b.language === 'text' && b.meta === 'output') outputs.push(b.text);
    else if (b.language === 'sh') {
      for (const line of b.text.split('\n')) {
        const m = /^\s*npm (?:install|i) (.*)$/.exec(line.replace(/#.*$/, ''));
        if (!m) continue;
        for (const word of m[1]!.trim().split(/\s+/)) {
          if (word.startsWith('-')) continue;
          const name = word.replace(/(.)@.*$/, '$1');
          if (name !== 'vecpg') packages.add(name);
        }
      }
    }
  }
  if (!files.has('main.ts')) throw new Error(`${doc}: no \`\`\`ts file=main.ts block`);
  if (outputs.length !== 1) throw new Error(`${doc}: ${outputs.length} \`\`\`text output blocks, want exactly one`);
  return {
    doc,
    files,
    steps,
    packages: [...packages],
    output: outputs[0]!,
    pglite: packages.has('@electric-sql/pglite'),
  };
}

/** The strict tsconfig a guide's project gets unless it shows its own. */
export const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
  },
};

let packed: Promise<string> | undefined;

/**
 * Build and `npm pack` vecpg once per process into a temporary directory (a staging copy, so the
 * checkout's dist/ is never touched), returning the directory of the unpacked package.
 */
export function packedVecpg(): Promise<string> {
  packed ??= (async () => {
    const stage = await mkdtemp(join(tmpdir(), 'vecpg-pack-'));
    const pkg = join(stage, 'pkg');
    await mkdir(pkg);
    await cp(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    await cp(join(ROOT, 'README.md'), join(pkg, 'README.md'));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], {
      cwd: ROOT,
    });
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', stage], { cwd: pkg });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    const unpacked = join(stage, 'vecpg');
    await mkdir(unpacked);
    await run('tar', ['-xzf', join(stage, filename), '-C', unpacked, '--strip-components=1']);
    return unpacked;
  })();
  return packed;
}

/** Remove the staging directory of {@link packedVecpg} (the tarball and its unpacked copy). */
export async function removePackedVecpg(): Promise<void> {
  if (packed === undefined) return;
  const unpacked = await packed.catch(() => undefined);
  packed = undefined;
  if (unpacked !== undefined) await rm(dirname(unpacked), { recursive: true, force: true });
}

export interface GuideProject {
  readonly dir: string;
  remove(): Promise<void>;
}

/** Write the guide's files into a new project with the packed vecpg and the named packages linked. */
export async function createProject(guide: Guide): Promise<GuideProject> {
  const dir = await mkdtemp(join(tmpdir(), `vecpg-guide-${guide.doc.replace(/\W+/g, '-')}-`));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }, null, 2));
  if (!guide.files.has('tsconfig.json'))
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ ...STRICT_TSCONFIG, include: ['**/*.ts'] }, null, 2));
  const modules = join(dir, 'node_modules');
  await mkdir(modules);
  await cp(await packedVecpg(), join(modules, 'vecpg'), { recursive: true });
  // What `npm install vecpg` brings along: its dependencies.
  const vecpgManifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const names = new Set([...guide.packages, ...Object.keys(vecpgManifest.dependencies)]);
  for (const name of names) {
    const from = join(ROOT, 'node_modules', name);
    await readdir(from).catch(() => {
      throw new Error(`${guide.doc}: the install line names ${name}, which is not in the repository's node_modules`);
    });
    await mkdir(dirname(join(modules, name)), { recursive: true });
    await symlink(from, join(modules, name), 'dir');
  }
  await linkBins(modules, ['vecpg', ...names]);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(modules, '.bin')}:${process.env.PATH ?? ''}` };
  if (names.has('prisma')) {
    // Offline stand-ins, not part of any guide: `prisma generate` (generator "prisma-client") needs no
    // engine, but downloads the schema engine unless this points at a file (see test/fixtures/prisma/generate.mjs).
    const stub = join(dir, '.schema-engine-stub');
    await writeFile(stub, '#!/bin/sh\necho "no schema engine offline" >&2\nexit 1\n', { mode: 0o755 });
    Object.assign(env, { PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' });
  }
  for (const step of guide.steps) {
    if ('run' in step) {
      const r = await exec('sh', ['-c', step.run], dir, env);
      if (r.code !== 0) throw new Error(`${guide.doc}: \`${step.run}\` failed (${r.code}):\n${r.stdout}${r.stderr}`);
      continue;
    }
    // The first block of a file creates it, unless a command did; the next ones append, separated by a newline.
    const path = join(dir, step.file);
    await mkdir(dirname(path), { recursive: true });
    const before = await readFile(path, 'utf8').catch(() => undefined);
    await writeFile(path, before === undefined ? step.text : `${before}\n${step.text}`);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** node_modules/.bin entries for the packages' `bin` fields, as npm makes them. */
async function linkBins(modules: string, names: Iterable<string>): Promise<void> {
  await mkdir(join(modules, '.bin'), { recursive: true });
  for (const name of names) {
    const manifest = JSON.parse(await readFile(join(modules, name, 'package.json'), 'utf8')) as {
      name: string;
      bin?: string | Record<string, string>;
    };
    const bins =
      typeof manifest.bin === 'string'
        ? { [manifest.name.replace(/^@[^/]+\//, '')]: manifest.bin }
        : (manifest.bin ?? {});
    for (const [bin, target] of Object.entries(bins)) {
      await symlink(join(modules, name, target), join(modules, '.bin', bin)).catch(() => undefined);
    }
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Child processes at once (tsc, tsx, the guides' commands): one per core, so concurrent guides do not thrash. */
const SLOTS = Math.max(1, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

async function exec(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  while (running >= SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await execNow(file, args, cwd, env);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function execNow(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env, maxBuffer: 16 << 20, timeout: 300_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

/** `tsc -p .` in the project, with the TypeScript the guide installs. */
export function typecheck(project: GuideProject): Promise<RunResult> {
  return exec(
    process.execPath,
    [join(project.dir, 'node_modules/typescript/bin/tsc'), '-p', '.'],
    project.dir,
    process.env,
  );
}

/** `npx tsx main.ts` in the project, with DATABASE_URL set to `url` or unset. */
export function runMain(project: GuideProject, url: string | undefined): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  if (url !== undefined) env.DATABASE_URL = url;
  return exec(process.execPath, [join(project.dir, 'node_modules/tsx/dist/cli.mjs'), 'main.ts'], project.dir, env);
}
