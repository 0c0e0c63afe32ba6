import { importFolder } from './helpers/suite.js';

importFolder(new URL('./compat/', import.meta.url));
