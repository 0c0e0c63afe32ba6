import { importFolder } from './helpers/suite.js';

importFolder(new URL('./telemetry/', import.meta.url));
