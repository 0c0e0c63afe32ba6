import { importFolder } from './helpers/suite.js';

importFolder(new URL('./api/', import.meta.url));
