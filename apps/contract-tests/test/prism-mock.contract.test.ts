// Every registered API's typed client against `prism mock`, the spec alone (support/mock-run.ts).
import { SUITES } from './apis/index.js';
import { describePrismMockRun } from './support/mock-run.js';

describePrismMockRun(SUITES);
