import { importFolder } from './helpers/suite.js';

importFolder(new URL('./admission/', import.meta.url));
