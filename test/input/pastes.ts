/**
 * Realistic pastes, written the way agents paste them. Shared by the example tests, the property tests
 * (as seeds to mutate) and the throughput check.
 */

export const NOT_ALLOWED_MESSAGE = 'This agent is not allowed to read the "conversation" with ID: "cnv_yo1kg5q"';

export const plainEnvelope = String.raw`{
  "_error": {
    "status": 403,
    "title": "Forbidden",
    "message": "This agent is not allowed to read the \"conversation\" with ID: \"cnv_yo1kg5q\""
  }
}`;

export const statusAndTitleOnly = '{"_error":{"status":404,"title":"Not found"}}';

export const messageOnly = '{"_error":{"message":"Unknown conversation ID cn_123"}}';

export const validationError = String.raw`{"_error":{"status":400,"title":"Bad request","message":"Body did not satisfy requirements","details":["body.to must be an array","body.sender_name is not allowed"]}}`;

export const missingScope =
  '{"_error":{"status":403,"title":"Forbidden","message":"Token lacks the required `inboxes:read` scope"}}';

export const pinoLogLine = String.raw`{"level":50,"time":1716220800123,"pid":7,"hostname":"worker-5c9d","req":{"method":"GET","url":"/conversations/cnv_8f3k2"},"msg":"Front call failed","body":"{\"_error\":{\"status\":403,\"title\":\"Forbidden\",\"message\":\"You do not have access to the resources of this teammate\"}}"}`;

export const pythonTraceback = String.raw`Traceback (most recent call last):
  File "/srv/sync/front_sync.py", line 88, in fetch_conversation
    resp.raise_for_status()
  File "/usr/local/lib/python3.11/site-packages/requests/models.py", line 1021, in raise_for_status
    raise HTTPError(http_error_msg, response=self)
requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://api2.frontapp.com/conversations/cnv_1ix6q
>>> resp.text
'{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \\"conversation\\" with ID: \\"cnv_1ix6q\\""}}'`;

export const pythonBodyThenTraceback = String.raw`DEBUG:front:response body: {"_error":{"status":404,"title":"Not found","message":"Unknown conversation ID cnv_9zz"}}
Traceback (most recent call last):
  File "sync.py", line 12, in <module>
    r.raise_for_status()
requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://api2.frontapp.com/conversations/cnv_9zz`;

export const pythonDictRepr = String.raw`ERROR:root:Front said {'_error': {'status': 404, 'title': 'Not Found', 'message': 'Unknown conversation ID cnv_4kq1'}} while syncing inbox inb_1ix6`;

export const axiosFullDump =
  String.raw`AxiosError: Request failed with status code 403
    at settle (/app/node_modules/axios/dist/node/axios.cjs:1966:12)
    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/dist/node/axios.cjs:3065:11) {
  code: 'ERR_BAD_REQUEST',
  config: {
    method: 'get',
    url: 'https://api2.frontapp.com/conversations/cnv_6r55a/inboxes',
    headers: Object [AxiosHeaders] {
      Accept: 'application/json',
      Authorization: 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzY29wZXMiOlsic2hhcmVkOioiXX0.c2lnbmF0dXJlLXNpZ25hdHVyZQ'
    }
  },
  response: {
    status: 403,
    statusText: 'Forbidden',
    headers: Object [AxiosHeaders] {
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '97',
      'x-ratelimit-reset': '1716220860'
    },
    data: { _error: { status: 403, title: 'Forbidden', message: 'Token lacks the required ` +
  '`inboxes:read`' +
  String.raw` scope' } }
  }
}`;

export const axiosShallowDump = String.raw`[2024-05-20T14:02:11.481Z] ERROR sync failed AxiosError: Request failed with status code 429
  config: { method: 'post', url: '/conversations/cnv_2b7x/messages', baseURL: 'https://api2.frontapp.com' },
  response: {
    status: 429,
    statusText: 'Too Many Requests',
    headers: { 'retry-after': '2', 'x-ratelimit-remaining': '0', 'x-front-tier': 'tier-2' },
    data: { _error: [Object] }
  }`;

export const rubyFaraday = String.raw`Faraday::ForbiddenError: the server responded with status 403
/usr/local/bundle/gems/faraday-2.9.0/lib/faraday/response/raise_error.rb:28:in 'on_complete'
response: {:status=>403, :headers=>{"content-type"=>"application/json", "x-ratelimit-remaining"=>"42"}, :body=>"{\"_error\":{\"status\":403,\"title\":\"Forbidden\",\"message\":\"This agent is not allowed to read the \\\"inbox\\\" with ID: \\\"inb_3xq9\\\"\"}}", :request=>{:method=>:get, :url=>#<URI::HTTPS https://api2.frontapp.com/inboxes/inb_3xq9>}}`;

export const rubyHashRocket = String.raw`irb(main):004> JSON.parse(res.body)
=> {"_error"=>{"status"=>403, "title"=>"Forbidden", "message"=>"You do not have access to the resources of this teammate", "details"=>[]}}`;

export const guzzleTruncated =
  String.raw`PHP Fatal error:  Uncaught GuzzleHttp\Exception\ClientException: Client error: ` +
  '`GET https://api2.frontapp.com/conversations/cnv_3p0d`' +
  String.raw` resulted in a ` +
  '`403 Forbidden`' +
  String.raw` response:
{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \"conversation\" wi (truncated...)
 in /var/www/vendor/guzzlehttp/guzzle/src/Exception/RequestException.php:113`;

export const goLogLine = String.raw`2024/05/20 14:03:09 front: GET https://api2.frontapp.com/teammates/tea_6r55a/private_inboxes: 403 {"_error":{"status":403,"title":"Forbidden","message":"You do not have access to the resources of this teammate"}}`;

export const curlIncludeForbidden = String.raw`HTTP/2 403
date: Mon, 20 May 2024 14:05:00 GMT
content-type: application/json; charset=utf-8
x-ratelimit-limit: 50
x-ratelimit-remaining: 49
x-ratelimit-reset: 1716214000

{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \"conversation\" with ID: \"cnv_yo1kg5q\""}}`;

export const curlIncludeRateLimited = String.raw`HTTP/1.1 429 Too Many Requests
Date: Mon, 20 May 2024 14:06:12 GMT
Content-Type: application/json; charset=utf-8
Retry-After: 1
X-RateLimit-Limit: 100
X-RateLimit-Remaining: 12
X-RateLimit-Reset: 1716214032
X-Front-Tier: tier-2

{"_error":{"status":429,"title":"Too many requests","message":"Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds."}}`;

export const curlVerbose = String.raw`$ curl -v https://api2.frontapp.com/conversations/cnv_yo1kg5q -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCJ9.c2lnbmF0dXJl"
*   Trying 34.117.12.9:443...
* Connected to api2.frontapp.com (34.117.12.9) port 443 (#0)
* ALPN: server accepted h2
> GET /conversations/cnv_yo1kg5q HTTP/2
> Host: api2.frontapp.com
> user-agent: curl/8.4.0
> accept: */*
> authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCJ9.c2lnbmF0dXJl
>
< HTTP/2 403
< date: Mon, 20 May 2024 14:07:41 GMT
< content-type: application/json; charset=utf-8
< x-ratelimit-limit: 100
< x-ratelimit-remaining: 99
< x-ratelimit-reset: 1716214101
<
{ [153 bytes data]
{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \"conversation\" with ID: \"cnv_yo1kg5q\""}}* Connection #0 to host api2.frontapp.com left intact`;

export const curlVerboseMerged = String.raw`> GET /conversations/cnv_old1 HTTP/2
> Host: api2.frontapp.com
>
< HTTP/2 301
< location: https://api2.frontapp.com/conversations/cnv_new2
< content-length: 0
<
* Connection #0 to host api2.frontapp.com left intact
* Issue another request to this URL: 'https://api2.frontapp.com/conversations/cnv_new2'
> GET /conversations/cnv_new2 HTTP/2
> Host: api2.frontapp.com
>
< HTTP/2 200
< content-type: application/json
<
{"_links":{"self":"https://acme.api.frontapp.com/conversations/cnv_new2"},"id":"cnv_new2","subject":"Error 404 Not Found on checkout","status":"archived","is_private":false}`;

export const curlCommandDelete = String.raw`$ curl -i -X DELETE https://api2.frontapp.com/tags/tag_4b1c -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmcm9udCJ9.c2lnbmF0dXJl'
HTTP/2 404
content-type: application/json

{"_error":{"status":404,"title":"Not Found","message":"Unknown tag ID tag_4b1c"}}`;

export const nginxBadGateway = `HTTP/1.1 502 Bad Gateway
Server: nginx
Content-Type: text/html
Content-Length: 150

<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>`;

export const cloudflarePage = `<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8" />
<title>api2.frontapp.com | 503: Service temporarily unavailable</title>
<style>body{font-family:sans-serif}</style>
</head>
<body>
<div id="cf-error-details">
  <h1><span>Service temporarily unavailable</span> <span>Error code 503</span></h1>
  <p>Visit <a href="https://www.cloudflare.com/5xx-error-landing">cloudflare.com</a> for more information.</p>
  <script>window._cf = 1;</script>
</div>
</body>
</html>`;

export const slackEscapedCurl = String.raw`&gt; GET /conversations/cnv_5tq2 HTTP/2
&gt; Host: api2.frontapp.com
&lt; HTTP/2 403
&lt; content-type: application/json
&lt; x-ratelimit-remaining: 88
&lt;
{"_error":{"status":403,"title":"Forbidden","message":"You do not have access to the resources of this teammate"}}`;

export const slackLinksAndFence =
  String.raw`customer can't open <https://app.frontapp.com/open/cnv_7ke1x|this conversation>, API says:
` +
  '```json\n' +
  String.raw`{"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \"conversation\" with ID: \"cnv_7ke1x\""}}` +
  '\n```';

export const smartQuoted = '{“_error”:{“status”:403,“title”:“Forbidden”,“message”:“You don’t have permission”}}';

export const slackQuoted = `&gt; {
&gt;   "_error": {
&gt;     "status": 404,
&gt;     "title": "Not found",
&gt;     "message": "Unknown conversation ID cnv_2q"
&gt;   }
&gt; }`;

export const forumMangled = String.raw`{"_error":{"status"403,"title""Forbidden","message""This agent is not allowed to read the \"conversation\" with ID: \"cnv_X\""}}`;

export const forumMangledNoBackslashes = `{"_error":{"status"403,"title""Forbidden","message""This agent is not allowed to read the "conversation" with ID: "cnv_8x1""}}`;

export const threeFailingCalls = String.raw`2024-05-20T14:10:01.002Z ERROR GET /conversations/cnv_a1 -> 403 {"_error":{"status":403,"title":"Forbidden","message":"This agent is not allowed to read the \"conversation\" with ID: \"cnv_a1\""}}
2024-05-20T14:10:01.417Z ERROR GET /conversations/cnv_b2 -> 404 {"_error":{"status":404,"title":"Not found","message":"Unknown conversation ID cnv_b2"}}
2024-05-20T14:10:02.093Z ERROR POST /conversations/cnv_c3/messages -> 429 {"_error":{"status":429,"title":"Too many requests","message":"Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds."}}`;

export const frontApiErrorLine =
  'worker-3 | Front API error 429: Rate limit exceeded for tier-2 route. Please retry in 341 milliseconds.';

export const forbiddenTeammateLine = '403 Forbidden: You do not have access to the resources of this teammate';

export const axiosMessageThenWording = `Error: Request failed with status code 403
You do not have access to the resources of this teammate`;

export const bareNotAllowedSentence =
  'The customer keeps getting "This agent is not allowed to read the "conversation" with ID: "cnv_q9a0"" in their Zapier logs';

export const successfulConversation = String.raw`{
  "_links": {
    "self": "https://acme.api.frontapp.com/conversations/cnv_yo1kg5q",
    "related": { "inboxes": "https://acme.api.frontapp.com/conversations/cnv_yo1kg5q/inboxes" }
  },
  "id": "cnv_yo1kg5q",
  "subject": "Error: 403 Forbidden when exporting invoices",
  "status": "assigned",
  "assignee": { "id": "tea_6r55a", "email": "dana@acme.test", "is_available": true },
  "tags": [{ "id": "tag_2kq", "name": "error" }],
  "is_private": true,
  "last_message": { "id": "msg_1ab2c", "blurb": "Rate limit exceeded for tier-2 route? No, it says 404 Not Found." }
}`;

export const successfulCurl = `HTTP/2 200
content-type: application/json
x-ratelimit-remaining: 96

{"_results":[{"id":"inb_1ix6","name":"Support","is_private":false}],"_pagination":{"next":null}}`;

export const randomSentence =
  'Hi team, can someone look at cnv_yo1kg5q for Acme? They say the integration is broken since Monday.';

export const otherApiError = '{"ok":false,"error":"channel_not_found","warning":"missing_charset"}';

export const ALL_PASTES: Record<string, string> = {
  plainEnvelope,
  statusAndTitleOnly,
  messageOnly,
  validationError,
  missingScope,
  pinoLogLine,
  pythonTraceback,
  pythonBodyThenTraceback,
  pythonDictRepr,
  axiosFullDump,
  axiosShallowDump,
  rubyFaraday,
  rubyHashRocket,
  guzzleTruncated,
  goLogLine,
  curlIncludeForbidden,
  curlIncludeRateLimited,
  curlVerbose,
  curlVerboseMerged,
  curlCommandDelete,
  nginxBadGateway,
  cloudflarePage,
  slackEscapedCurl,
  slackLinksAndFence,
  smartQuoted,
  slackQuoted,
  forumMangled,
  forumMangledNoBackslashes,
  threeFailingCalls,
  frontApiErrorLine,
  forbiddenTeammateLine,
  axiosMessageThenWording,
  bareNotAllowedSentence,
  successfulConversation,
  successfulCurl,
  randomSentence,
  otherApiError,
};
