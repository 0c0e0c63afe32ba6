import { importFolder } from './helpers/suite.js';

importFolder(new URL('./shared/', import.meta.url));
