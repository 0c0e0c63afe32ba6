import { importFolder } from './helpers/suite.js';

importFolder(new URL('./conformance/', import.meta.url));
