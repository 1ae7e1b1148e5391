import { VecpgError } from '../errors.ts';

/**
 * `import()` an optional peer dependency; DRIVER_MISSING (naming the package and the install
 * command for `install`, the packages that go together, default the one) when it is not installed.
 *
 * @example
 * const { PGlite } = await importDriver<typeof import('@electric-sql/pglite')>('@electric-sql/pglite', 'vecpg/pglite');
 */
export async function importDriver<M>(pkg: string, entry: string, install: readonly string[] = [pkg]): Promise<M> {
  try {
    return (await import(pkg)) as M;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new VecpgError('DRIVER_MISSING', `${entry} needs the package "${pkg}": npm install ${install.join(' ')}`, {
        cause: error,
        details: { package: pkg, install: [...install] },
      });
    }
    throw error;
  }
}
