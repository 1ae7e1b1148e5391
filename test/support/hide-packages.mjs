// `node --import ./test/support/hide-packages.mjs …` with VECPG_HIDE_PACKAGES=pg,knex: those packages
// cannot be resolved, exactly as when they are not installed (Node's own ERR_MODULE_NOT_FOUND), so tests
// see what a user without an optional dependency sees. Only the child process started with it changes.
import { register } from 'node:module';

const hide = (process.env.VECPG_HIDE_PACKAGES ?? '').split(',').filter((p) => p !== '');
register('./hide-packages-hooks.mjs', import.meta.url, { data: { hide } });
