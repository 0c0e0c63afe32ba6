import { importFolder } from './helpers/suite.js';

importFolder(new URL('./decisions/', import.meta.url));
