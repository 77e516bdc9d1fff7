import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SHOW_N8N_LOGS } from './env';

// Imported first by test files that read n8n's log: its level and output are fixed when n8n-core
// loads. A file is the one output that reads the same in and out of jest's workers; the console
// gets it too only when HAPPYHORSE_TEST_LOGS=1 asks (env.ts), so `npm test` stays quiet.
export const N8N_LOG_FILE = join(mkdtempSync(join(tmpdir(), 'happyhorse-log-')), 'n8n.log');
process.env.N8N_LOG_LEVEL = 'debug';
process.env.N8N_LOG_OUTPUT = SHOW_N8N_LOGS ? 'console,file' : 'file';
process.env.N8N_LOG_FILE_LOCATION = N8N_LOG_FILE;
