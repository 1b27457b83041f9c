// Lint rules: the recommended sets of ESLint and typescript-eslint, plus the layering rules of docs/architecture.md:
// VS Code only in src/providers, src/core and src/analysis below src/inference, the inference layers one way, and
// model families apart from each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/artifacts/**', '.cache/**', 'models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  ...layers([
    {
      files: ['src/**'],
      ignores: ['src/providers/**'],
      paths: [{ name: 'vscode', message: 'Only src/providers and extension.ts may import vscode.' }],
    },
    {
      files: ['src/core/**'],
      paths: ['onnxruntime-node', 'sharp'],
      regex: [{ regex: '^\\.\\./', message: 'src/core is the bottom layer: it imports nothing else of the project.' }],
    },
    {
      files: ['src/analysis/**'],
      paths: ['onnxruntime-node', 'sharp'],
      regex: [{ regex: '/(inference|providers|cli|hover|download|evaluation)(/|$)', message: 'src/analysis is math on typed arrays: it may import src/core and src/shared only.' }],
    },
    {
      files: ['src/inference/**'],
      regex: [{ regex: '^(\\.\\./)+(providers|cli)(/|$)', message: 'src/inference serves src/providers and src/cli; it never imports them.' }],
    },
    {
      files: ['src/inference/{model,images,runtime,onnx,datasets}/**'],
      regex: [{ regex: '^(\\.\\./)+(families|tasks|service)(/|$)', message: 'The model folder, images, runtime, ONNX tools and datasets sit below the families and tasks.' }],
    },
    {
      files: ['src/inference/families/*/**'],
      regex: [{ regex: '^\\.\\./(?!adapter$|\\.\\./)', message: 'A family imports the adapter interface, the runtime and the model folder, never another family or the registry.' }],
    },
    {
      files: ['src/inference/tasks/**'],
      regex: [{ regex: '/families/(?!adapter$)', message: 'Tasks work through the ModelAdapter interface; only families/registry.ts knows the families.' }],
    },
  ]),
);

/**
 * One no-restricted-imports entry per file set. A file matched by several sets gets all their restrictions: flat
 * config replaces a rule's options rather than merging them, so each entry repeats the restrictions of the
 * earlier sets that cover its files (a set covers another when its glob is a prefix of the other's).
 */
function layers(sets) {
  return sets.map((set, i) => {
    const outer = sets.slice(0, i).filter((o) => o.files.some((glob) => set.files[0].startsWith(glob.replace(/\*\*$/, ''))));
    const all = [...outer, set];
    return {
      files: set.files,
      ...(set.ignores && { ignores: set.ignores }),
      rules: {
        'no-restricted-imports': ['error', { paths: all.flatMap((s) => s.paths ?? []), patterns: all.flatMap((s) => s.regex ?? []) }],
      },
    };
  });
}
