// Every API's contract suite: one line per API. The proxy run fails while an API the mock server
// serves has no line here.
import type { RegisteredSuite } from '../support/suite.js';
import { lumaAgents } from './luma-agents.js';
import { lumen } from './lumen.js';
import { lumixai } from './lumixai.js';
import { lumozai } from './lumozai.js';
import { useapiLuma } from './useapi-luma.js';

export const SUITES: readonly RegisteredSuite[] = [lumixai, lumen, lumaAgents, useapiLuma, lumozai];
