import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Imported first by test files that read n8n's log: its level and output are fixed when n8n-core
// loads. A file is the one output that reads the same in and out of jest's workers.
export const N8N_LOG_FILE = join(mkdtempSync(join(tmpdir(), 'happyhorse-log-')), 'n8n.log');
process.env.N8N_LOG_LEVEL = 'debug';
process.env.N8N_LOG_OUTPUT = 'console,file';
process.env.N8N_LOG_FILE_LOCATION = N8N_LOG_FILE;
