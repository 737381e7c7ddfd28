// Imported first by the package's entry point, so on an unsupported Node the first thing a user
// sees is which Node is needed, before any module that needs a newer one runs.
import { unsupportedNodeMessage } from './node-support.js';

const problem = unsupportedNodeMessage();
if (problem !== undefined) throw new Error(problem);
