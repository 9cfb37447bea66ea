import { hostOf, loadBalancerDnsName } from "../normalise";
import { fieldsOf, Finding, idsOf, isDistribution, isS3Origin, originsOf, PolicyResource, StackRule } from "./rule";

const FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl";
const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const CLASSIC_LOAD_BALANCER = "aws:elb/loadBalancer:LoadBalancer";
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];

/** The host a Lambda function URL answers on, from its functionUrl output (normalised). */
function functionUrlHost(url: PolicyResource): string | undefined {
  const text = fieldsOf(url).get("functionUrl").text();
  return text === undefined ? undefined : hostOf(text);
}

/** What is wrong with a listener in front of an origin, if anything. */
function listenerProblem(listener: PolicyResource, distribution: PolicyResource): string | undefined {
  const auth = fieldsOf(listener).get("mutualAuthentication");
  const mode = auth.get("mode");
  if (mode.text() !== "verify") return `${listener.name} serves ${distribution.name}'s origin with mutualAuthentication mode ${mode.describe()}, so it does not verify client certificates; set mutualAuthentication { mode: "verify", trustStoreArn }`;
  if (auth.get("trustStoreArn").text() === undefined) return `${listener.name} verifies client certificates without a trustStoreArn; set it to the trust store holding the CA`;
  if (auth.get("ignoreClientCertificateExpiry").flag() === true) return `${listener.name} ignores client certificate expiry: expired certificates get in; remove ignoreClientCertificateExpiry`;
  return undefined;
}

/** Rule 10: origins that cannot check CloudFront's certificate and are open to anyone are refused. */
export const noOpenOrigins: StackRule = {
  kind: "stack",
  name: "no-open-origins",
  description:
    "Origins that do not verify client certificates are refused: Lambda function URLs whose authorizationType is not AWS_IAM, load balancers whose listeners do not verify client certificates (mutualAuthentication mode verify), Classic Load Balancers, API Gateway's default execute-api endpoints (mutual TLS is a custom domain setting). Domains are compared normalised (case, trailing dot, dualstack.). Advisory when the origin is not in the stack.",
  enforcementLevel: "mandatory",
  check(resources) {
    const findings: Finding[] = [];
    const functionUrls = resources.filter((r) => r.type === FUNCTION_URL);
    const loadBalancers = resources.filter((r) => LOAD_BALANCERS.includes(r.type) || r.type === CLASSIC_LOAD_BALANCER);
    const listeners = resources.filter((r) => LISTENERS.includes(r.type));
    for (const distribution of resources.filter(isDistribution)) {
      for (const origin of originsOf(distribution).filter((o) => !isS3Origin(o))) {
        const target = origin.target;
        if (target.kind === "execute-api") {
          // API Gateway asks for client certificates only on a custom domain with mutualTlsAuthentication
          // (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html): the default
          // endpoint is open to anyone around CloudFront, or, disabled, answers 403 to CloudFront too.
          findings.push({ resource: distribution, message: `${origin.label} is API Gateway's default execute-api endpoint, which never asks for a client certificate: anyone can call the API around CloudFront (or, with the endpoint disabled, CloudFront gets 403); use the API's custom domain with mutualTlsAuthentication` });
          continue;
        }
        if (target.kind === "lambda-url") {
          const url = functionUrls.find((u) => functionUrlHost(u) === origin.domain || fieldsOf(u).get("urlId").text()?.toLowerCase() === target.urlId);
          if (!url) {
            findings.push({ resource: distribution, message: `${origin.label} is a Lambda function URL outside this stack; make sure its authorizationType is AWS_IAM with an OAC`, advisory: true });
            continue;
          }
          const authorization = fieldsOf(url).get("authorizationType");
          if (authorization.text() !== "AWS_IAM") findings.push({ resource: url, message: `${url.name} is an origin of ${distribution.name} with authorizationType ${authorization.describe()}: anyone can call it around CloudFront; use AWS_IAM with an Origin Access Control` });
        } else if (target.kind === "load-balancer") {
          const lb = loadBalancers.find((l) => {
            const dnsName = fieldsOf(l).get("dnsName").text();
            return dnsName !== undefined && loadBalancerDnsName(dnsName) === target.dnsName;
          });
          if (!lb) {
            findings.push({ resource: distribution, message: `${origin.label} is a load balancer outside this stack; make sure its HTTPS listeners verify client certificates (mutualAuthentication mode verify)`, advisory: true });
            continue;
          }
          if (lb.type === CLASSIC_LOAD_BALANCER) {
            findings.push({ resource: lb, message: `${lb.name} is an origin of ${distribution.name} but is a Classic Load Balancer, which cannot verify client certificates; use an Application Load Balancer with mutualAuthentication mode verify` });
            continue;
          }
          const ids = new Set(idsOf(lb));
          const served = listeners.filter((l) => {
            const arn = fieldsOf(l).get("loadBalancerArn").text();
            return arn !== undefined && ids.has(arn);
          });
          for (const listener of served) {
            const problem = listenerProblem(listener, distribution);
            if (problem) findings.push({ resource: listener, message: problem });
          }
          if (served.length === 0) findings.push({ resource: lb, message: `${lb.name} is an origin but has no listener in this stack that verifies client certificates`, advisory: true });
        }
      }
    }
    return findings;
  },
};
