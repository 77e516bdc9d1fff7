import { useFilesystemBinaryMode } from '../../dev/harness/binaryData';
import { useEmulator } from '../fixtures';
import { describeDownloadLimits } from './downloadLimits';
import { useHostileVideoHost } from './videoHost';

// n8n's filesystem binary mode for this whole file: the download streams to disk.
beforeAll(async () => await useFilesystemBinaryMode());

describeDownloadLimits('filesystem', useEmulator(), useHostileVideoHost());
