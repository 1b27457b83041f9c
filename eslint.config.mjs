// Lint rules: the recommended sets of ESLint and typescript-eslint, plus the few layering rules that keep
// everything under src/ but src/providers free of VS Code (the CLI and the tests run them without it).
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
  {
    files: ['src/**'],
    ignores: ['src/providers/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/providers and extension.ts may import vscode.' }] }],
    },
  },
  {
    files: ['src/analysis/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode', 'onnxruntime-node', 'sharp'] }],
    },
  },
);
