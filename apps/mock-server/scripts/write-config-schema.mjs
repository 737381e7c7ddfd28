// Writes the config file's JSON Schema into the package at build time, from the code that checks
// configs, so the published schema and start-up validation can never disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { CONFIG_SCHEMA_FILE, mockConfigSchema } from '../dist/config/config-schema.js';

writeFileSync(fileURLToPath(new URL(`../${CONFIG_SCHEMA_FILE}`, import.meta.url)), `${JSON.stringify(mockConfigSchema(), null, 2)}\n`);
