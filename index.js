// n8n loads the node and credential through the "n8n" section of package.json;
// this entry point exists so `require('n8n-nodes-happyhorse')` resolves too.
module.exports = {};
