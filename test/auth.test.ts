import { importFolder } from './helpers/suite.js';

importFolder(new URL('./auth/', import.meta.url));
