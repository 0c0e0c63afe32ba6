import { importFolder } from './helpers/suite.js';

importFolder(new URL('./config/', import.meta.url));
