import { DISTRIBUTION_TYPES, Finding, isS3Origin, originLabel, originsOf, StackRule } from "./rule";

const LAMBDA_URL = /\.lambda-url\.[a-z0-9-]+\.on\.aws$/;
const LOAD_BALANCER = /\.elb\.amazonaws\.com$/;

/** Rule 10: origins that cannot check CloudFront's certificate and are open to anyone are refused. */
export const noOpenOrigins: StackRule = {
  kind: "stack",
  name: "no-open-origins",
  description:
    "Origins that do not verify client certificates are refused: Lambda function URLs with authorizationType NONE, load balancers whose listeners do not verify client certificates (mutualAuthentication mode verify). Advisory when the origin is not in the stack.",
  enforcementLevel: "mandatory",
  check(resources) {
    const findings: Finding[] = [];
    for (const distribution of resources.filter((r) => (DISTRIBUTION_TYPES as readonly string[]).includes(r.type))) {
      for (const origin of originsOf(distribution.props).filter((o) => !isS3Origin(o))) {
        const domain = typeof origin.domainName === "string" ? origin.domainName : "";
        if (LAMBDA_URL.test(domain)) {
          const url = resources.find((r) => r.type === "aws:lambda/functionUrl:FunctionUrl" && typeof r.outputs?.functionUrl === "string" && r.outputs.functionUrl.includes(domain));
          if (!url) findings.push({ resource: distribution, message: `${originLabel(origin)} is a Lambda function URL outside this stack; make sure its authorizationType is AWS_IAM with an OAC`, advisory: true });
          else if (url.props.authorizationType === "NONE") findings.push({ resource: url, message: `${url.name} is an origin of ${distribution.name} with authorizationType NONE: anyone can call it around CloudFront; use AWS_IAM with an Origin Access Control` });
        } else if (LOAD_BALANCER.test(domain)) {
          const lb = resources.find((r) => (r.type === "aws:lb/loadBalancer:LoadBalancer" || r.type === "aws:alb/loadBalancer:LoadBalancer") && r.outputs?.dnsName === domain);
          if (!lb) {
            findings.push({ resource: distribution, message: `${originLabel(origin)} is a load balancer outside this stack; make sure its HTTPS listeners verify client certificates (mutualAuthentication mode verify)`, advisory: true });
            continue;
          }
          const listeners = resources.filter((r) => (r.type === "aws:lb/listener:Listener" || r.type === "aws:alb/listener:Listener") && r.props.loadBalancerArn === (lb.outputs?.arn ?? lb.outputs?.id));
          for (const listener of listeners.filter((l) => l.props.mutualAuthentication?.mode !== "verify")) {
            findings.push({ resource: listener, message: `${listener.name} serves ${distribution.name}'s origin without verifying client certificates; set mutualAuthentication { mode: "verify", trustStoreArn }` });
          }
          if (listeners.length === 0) findings.push({ resource: lb, message: `${lb.name} is an origin but has no listener in this stack that verifies client certificates`, advisory: true });
        }
      }
    }
    return findings;
  },
};
