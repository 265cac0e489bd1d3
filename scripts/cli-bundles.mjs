// The CLI commands that get a bundle of their own (dist/cli-NAME.js, loaded by src/cli/launch.ts), and the esbuild plugin that makes one.

/** The commands a user runs often and waits for: each loads a fifth of the whole CLI's code. */
export const CLI_OWN_BUNDLES = ['btf', 'check', 'disasm', 'log', 'relocs'];

/**
 * Leaves every command but `name` out of the command table's loaders (src/cli/commands/index.ts requires each
 * command module by `./NAME`): the launcher runs this bundle only when `name` is the command asked for.
 */
export function onlyCommand(name) {
  return {
    name: `only-${name}`,
    setup(build) {
      build.onResolve({ filter: /^\.\/[a-z-]+$/ }, (args) => (
        args.importer.endsWith('src/cli/commands/index.ts') && args.path !== `./${name}` ? { path: args.path, namespace: 'omitted-command' } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'omitted-command' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };
}
