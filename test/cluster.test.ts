import { importFolder } from './helpers/suite.js';

importFolder(new URL('./cluster/', import.meta.url));
