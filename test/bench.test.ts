import { importFolder } from './helpers/suite.js';

importFolder(new URL('./bench/', import.meta.url));
