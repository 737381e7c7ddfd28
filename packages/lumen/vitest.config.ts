export { default } from '../../vitest.typechecked-package.config.js';
