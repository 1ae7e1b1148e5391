// Resolve hooks for hide-packages.mjs (they run on Node's loader thread).
let hidden = new Set();

export function initialize(data) {
  hidden = new Set(data.hide);
}

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  if (
    !specifier.startsWith('.') &&
    !specifier.startsWith('/') &&
    !specifier.includes(':') &&
    hidden.has(packageOf(specifier))
  ) {
    const error = new Error(
      `Cannot find package '${packageOf(specifier)}' imported from ${context.parentURL ?? 'the command line'}`,
    );
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
