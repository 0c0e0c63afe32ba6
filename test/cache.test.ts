import { importFolder } from './helpers/suite.js';

importFolder(new URL('./cache/', import.meta.url));
