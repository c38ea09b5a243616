// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'net',
  'http',
  'https',
  'crypto',
  'child_process',
  'events',
  'stream',
  'url',
  'util',
  'worker_threads',
];
const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'out', 'test-results', 'coverage', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The config file itself is plain JS outside every tsconfig project.
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    // src-shared is VS Code's `common`: it runs in every process, so it may import neither Node, DOM-only libs, nor electron.
    files: ['src-shared/**'],
    rules: restrict(
      [
        ...nodeBuiltins,
        'electron',
        'ws',
        'better-sqlite3',
        'react',
        'react-dom',
        '**/src-server/**',
        '**/src-main/**',
        '**/src-renderer/**',
      ],
      'src-shared runs everywhere: no Node, DOM or process-specific imports.',
    ),
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: restrict(
      ['electron', 'electron/*', '**/src-renderer/**', '**/src-server/**'],
      'Only src-main/electron may import electron; the core must run in plain Node.',
    ),
  },
  {
    files: ['src-renderer/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [...nodeBuiltins, 'electron', 'ws', 'better-sqlite3', '**/src-main/**', '**/src-server/**'],
        'The renderer sees only the IPC contract on window: no Node, no electron.',
      ),
    },
  },
  {
    files: ['src-server/**'],
    rules: restrict(
      ['electron', 'react', '**/src-main/**', '**/src-renderer/**'],
      'The server shares only src-shared with the client.',
    ),
  },
  {
    files: ['tests/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
