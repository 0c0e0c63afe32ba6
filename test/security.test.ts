import { importFolder } from './helpers/suite.js';

importFolder(new URL('./security/', import.meta.url));
