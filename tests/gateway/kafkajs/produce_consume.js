// KafkaJS 2.x against `kafkasim serve`: the admin client creates a topic (and gets Kafka's
// INVALID_REPLICATION_FACTOR for a factor above the broker count), a producer writes keyed
// records with acks=all, a consumer group reads them all back and commits, the committed
// offsets are read back, the topic's configs are described and the topic deleted.
// Usage: node produce_consume.js BOOTSTRAP (host:port,...). Exits 1 with a reason on failure.
const { Kafka, logLevel, Partitioners, ConfigResourceTypes } = require('kafkajs')

const brokers = process.argv[2].split(',')
const kafka = new Kafka({
  clientId: 'kafkajs-test',
  brokers,
  logLevel: logLevel.WARN,
  retry: { retries: 20, initialRetryTime: 200 }
})
const topic = 'js-towns'
const keys = ['Berlin', 'Paris', 'Tokyo', 'Lima', 'Oslo', 'Rome']

function fail (why) {
  console.log('FAIL:', why)
  process.exit(1)
}

async function main () {
  const admin = kafka.admin()
  await admin.connect()
  // The brokers register in the first seconds of the simulation.
  let cluster = null
  for (let i = 0; i < 100; i++) {
    cluster = await admin.describeCluster()
    if (cluster.brokers.length === 3 && cluster.controller !== null) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (cluster.brokers.length !== 3) fail(`describeCluster: ${JSON.stringify(cluster)}`)
  console.log(`cluster ${cluster.clusterId}: ${cluster.brokers.length} brokers, controller ${cluster.controller}`)

  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 2, replicationFactor: 3 }],
    waitForLeaders: true
  })
  if (created !== true) fail('createTopics did not create the topic')
  // KafkaJS reports TOPIC_ALREADY_EXISTS as false rather than an error.
  if (await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 3 }] }) !== false) {
    fail('creating the topic twice did not say it exists')
  }
  try {
    await admin.createTopics({ topics: [{ topic: 'js-villages', replicationFactor: 4 }] })
    fail('a replication factor of 4 on 3 brokers was accepted')
  } catch (e) {
    const errors = e.errors || [e]
    if (!errors.some((x) => x.type === 'INVALID_REPLICATION_FACTOR')) {
      fail(`expected INVALID_REPLICATION_FACTOR, got ${e}`)
    }
    console.log('replication factor 4:', errors.map((x) => x.type).join(','))
  }

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const sent = await producer.send({
    topic,
    acks: -1,
    messages: keys.map((key, i) => ({ key, value: `v${i}` }))
  })
  console.log('produced:', JSON.stringify(sent.map((r) => [r.partition, r.baseOffset])))
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'js-readers', maxWaitTimeInMs: 500 })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const read = []
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${read.length} of ${keys.length} in 40 s`)), 40000)
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        read.push([partition, message.key.toString(), message.value.toString()])
        if (read.length === keys.length) {
          clearTimeout(timer)
          resolve()
        }
      }
    }).catch(reject)
  }).catch((e) => fail(e.message))
  console.log('consumed:', JSON.stringify(read))
  const wanted = keys.map((k, i) => `${k}=v${i}`).sort()
  const got = read.map(([, k, v]) => `${k}=${v}`).sort()
  if (JSON.stringify(wanted) !== JSON.stringify(got)) fail(`read ${got}, expected ${wanted}`)
  await consumer.disconnect() // commits what it read

  const offsets = await admin.fetchOffsets({ groupId: 'js-readers', topics: [topic] })
  const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0)
  console.log('committed:', JSON.stringify(offsets[0].partitions))
  if (committed !== keys.length) fail(`committed offsets add up to ${committed}, not ${keys.length}`)

  const configs = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    includeSynonyms: false
  })
  const entry = configs.resources[0].configEntries[0]
  if (entry.configName !== 'retention.ms' || entry.configValue !== '604800000' || !entry.isDefault) {
    fail(`describeConfigs: ${JSON.stringify(entry)}`)
  }
  await admin.deleteTopics({ topics: [topic] })
  await admin.disconnect()
  console.log('PASS: KafkaJS against kafkasim serve')
}

main().catch((e) => fail(e.stack || e))
