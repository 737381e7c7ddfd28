// Every registered API's typed client in front of `prism proxy --errors` in front of the mock
// server (support/proxy-run.ts), then the control run proving the detector can fail
// (support/control-run.ts), once, against the first suite's spec.
import { SUITES } from './apis/index.js';
import { describeControlRun } from './support/control-run.js';
import { describeProxyRun } from './support/proxy-run.js';

describeProxyRun(SUITES);
describeControlRun(SUITES[0]!);
