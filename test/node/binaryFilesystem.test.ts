import { useEmulator } from '../fixtures';
import { useFilesystemBinaryMode } from '../../dev/harness/binaryData';
import { describeBinaryRoundTrip } from './binaryRoundTrip';

// n8n's filesystem binary mode for this whole file: items carry ids, bytes live on disk.
beforeAll(async () => await useFilesystemBinaryMode());

describeBinaryRoundTrip('filesystem', useEmulator());
