export * from './suffixes';
export * from './transitions';
export * from './planner';
