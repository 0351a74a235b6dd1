// Evaluates IAM requests against identity policies with @cloud-copilot/iam-simulate, an IAM evaluator written
// outside Rekey, so the generated policies are judged by code that shares no misunderstanding with them.
//
// Usage: node evaluate.mjs INPUT.json > OUTPUT.json
// INPUT: { "policies": { NAME: POLICY }, "checks": [ { "id", "policy", "principal", "action",
//          "resources": [ { "arn", "account", "context": { KEY: VALUE | [VALUES] }, "resourcePolicy"?: POLICY } ] } ] }
// OUTPUT: { "results": [ { "id", "action", "decision", "resources": [ { "arn", "decision", "detail" } ] } ] }
// decision: Allowed when every resource the action applies to is allowed; NoResource when none of the given
// resources is of a type the action is authorized on (and the action is not wildcard-only); else the first refusal.
import { readFile } from 'node:fs/promises'
import { runSimulation, runUnsafeSimulation, isWildcardOnlyAction } from '@cloud-copilot/iam-simulate'

const input = JSON.parse(await readFile(process.argv[2], 'utf8'))

// A KMS key's policy must allow the account for an identity policy to count (the default key policy's first statement).
const accountKeyPolicy = (account) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }]
})

async function simulate(check, resource) {
  const account = resource.account
  const resourcePolicy = resource.resourcePolicy ?? (resource.arn.includes(':kms:') && resource.arn.includes(':key/') ? accountKeyPolicy(account) : undefined)
  const simulation = {
      identityPolicies: [{ name: check.policy, policy: input.policies[check.policy] }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      request: {
        action: check.action,
        principal: check.principal,
        resource: { accountId: account, resource: resource.arn },
        contextVariables: resource.context ?? {}
      }
    }
  const result = await runSimulation(simulation, {})
  if (result.resultType === 'error') {
    const message = JSON.stringify(result.errors ?? result)
    if (message.includes('multiple.resource.types')) {
      // The ARN fits more than one resource type of the action (a backup vault and a logically air-gapped vault share
      // a format): the same engine, without the type check that refuses to choose.
      const outcome = runUnsafeSimulation(simulation, {})
      const decision = typeof outcome === 'string' ? outcome : outcome.result
      return { arn: resource.arn, decision, detail: 'resource type ambiguous; evaluated without type validation' }
    }
    return { arn: resource.arn, decision: message.includes('no.resource.types') ? 'NotApplicable' : 'Error', detail: message.slice(0, 600) }
  }
  if (result.resultType === 'wildcard') {
    // Every resource pattern of the action must be allowed on "*" for a listing read.
    return { arn: resource.arn, decision: result.overallResult, detail: 'on every resource of its types' }
  }
  return { arn: resource.arn, decision: result.overallResult, detail: '' }
}

const results = []
for (const check of input.checks) {
  const [service, action] = check.action.split(':')
  let resources
  if (await isWildcardOnlyAction(service.toLowerCase(), action.toLowerCase())) {
    const account = check.resources[0]?.account ?? check.account
    resources = [await simulate(check, { arn: '*', account, context: check.resources[0]?.context ?? check.context ?? {} })]
  } else if (check.resources.length === 0 || check.resources.every((r) => r.arn === '*')) {
    // An action with resource types asked on no resource: a listing read is authorized on "*"; anything else has
    // nothing to be evaluated on.
    const account = check.resources[0]?.account ?? check.account
    resources = check.onAnyResource ? [await simulate(check, { arn: '*', account, context: check.resources[0]?.context ?? {} })] : []
  } else {
    resources = []
    for (const resource of check.resources) {
      resources.push(await simulate(check, resource))
    }
  }
  const applicable = resources.filter((r) => r.decision !== 'NotApplicable')
  const refused = applicable.find((r) => r.decision !== 'Allowed')
  const decision = applicable.length === 0 ? 'NoResource' : refused ? refused.decision : 'Allowed'
  results.push({ id: check.id, action: check.action, decision, resources })
}
process.stdout.write(JSON.stringify({ results }))
