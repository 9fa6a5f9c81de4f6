export const testDatabase = 'test';
