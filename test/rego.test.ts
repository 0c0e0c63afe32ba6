import { importFolder } from './helpers/suite.js';

importFolder(new URL('./rego/', import.meta.url));
