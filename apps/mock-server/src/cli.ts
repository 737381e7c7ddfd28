#!/usr/bin/env node
// First: on an unsupported Node, say which Node is needed before any module that needs one runs.
import './require-supported-node.js';

import { checkCommandLine } from './cli-args.js';
import { runCli } from './run-cli.js';

if (checkCommandLine()) runCli();
