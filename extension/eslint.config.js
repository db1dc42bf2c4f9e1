import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.webextensions }
    },
    rules: { 'no-var': 'error', 'prefer-const': 'error' }
  },
  {
    files: ['content/**/*.js'],
    languageOptions: { sourceType: 'script' }
  },
  {
    files: ['build.js', 'test/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node } }
  }
];
