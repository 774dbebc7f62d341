// Runs once, when the MongoDB volume is first initialised (docker-entrypoint-initdb.d):
// the data service connects as this user, which can only read and write the chat database.
db.getSiblingDB('chat').createUser({
  user: process.env.MONGO_APP_USER,
  pwd: process.env.MONGO_APP_PASSWORD,
  roles: [{ role: 'readWrite', db: 'chat' }],
});
