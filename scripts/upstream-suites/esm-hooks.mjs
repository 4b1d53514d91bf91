// @module ESM resolve hook (registered by hook.mjs): the import side of redirect.cjs.
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const { redirect } = require("./redirect.cjs");

/** Node's resolve hook: redirects as redirect.cjs says, then resolves the target normally. */
export async function resolve(specifier, context, next) {
  const from = context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : undefined;
  const target = redirect(specifier, from);
  if (target === null) return next(specifier, context);
  // A folder target goes through require's resolution (its package.json "main"/"exports").
  const file = require.resolve(target);
  return next(pathToFileURL(file).href, context);
}
