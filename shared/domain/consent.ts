/**
 * Consent taken back in the customer's own words. Since 2025-04-11 (the FCC's 2024 TCPA order) a
 * customer may revoke consent "by any reasonable means", not only with a carrier keyword: "请不要再给我
 * 发短信了", "别再打扰我", "please stop texting me", "remove me from your list". A comment that merely
 * holds such a word ("停车场太小", "the brakes squeal every time I stop the car") is a comment.
 *
 * The rules read intent, not words: a verb of sending or contacting under a negation or "stop", said
 * as a request (not "they never text me", not "客服叫我别再打电话"), whose object is the customer or
 * the texts (not "stop calling the workshop", not "不用打电话确认"); or a request to be removed,
 * unsubscribed or opted out of texts (not "I opted out of the extended warranty", not "退订了保养套餐").
 * tests/unit/fixtures/consent-corpus.json holds what they must and must not read as a revocation.
 */

/** Whether the text revokes the customer's consent to be texted, in Chinese or English. */
export function revokesConsent(text: string): boolean {
  const clauses = clausesOf(text);
  // "别打电话了，发短信就好", "stop calling me, text only": not a word against texts.
  if (clauses.some((clause) => asksForTexts.some((rule) => rule.test(clause)))) return false;
  return clauses.some((clause) => revokesInEnglish(clause) || revokesInChinese(clause));
}

/** Traditional characters of the words the rules read, as their simplified ones (别再發了, 不要再傳簡訊給我). */
const traditional = '別發給聯繫擾騷訊話電訂閱問調請訪號碼從刪單煩們來過這種謝絕麼傳簡資聽';
const simplifiedOf = '别发给联系扰骚讯话电订阅问调请访号码从删单烦们来过这种谢绝么传简资听';

/**
 * Lower case, simplified characters, one spelling of the apostrophe, no space between two Han
 * characters (some type "不要 再发"), cut at sentence and clause punctuation: every rule reads one clause.
 */
function clausesOf(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{Script=Han}/gu, (ch) => simplifiedOf[traditional.indexOf(ch)] ?? ch)
    .replace(/[’‘`´ʼ]/gu, "'")
    .replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '')
    .split(/[.!?;:,\n\r。！？；：，、…~～()（）【】[\]"“”「」《》]+|\s-+\s/u)
    .map((clause) => clause.replace(/\s+/gu, ' ').trim())
    .filter((clause) => clause !== '');
}

/** A customer who asks for texts instead of calls or another app has not revoked consent to texts. */
const asksForTexts = [
  /\btext(?:s| messages?)? only\b|\bonly (?:by )?texts?\b|\b(?:text|sms|message) me instead\b|\bsend (?:me )?a text instead\b|\bprefer texts?\b|\btexts? (?:is|are) (?:fine|ok|okay|better)\b/u,
  /(?:发|用)?(?:短信|简讯|信息)(?:联系|通知)?就(?:行|好|可以)|发短信吧|短信联系|只(?:接受|要|收)短信/u,
];

const words = (...alternatives: string[]) => `(?:${alternatives.join('|')})`;

// English. Each piece ends at a word boundary; `(?:${det} )*` is any run of determiners and adjectives.
const det = words(
  'the',
  'these',
  'those',
  'this',
  'that',
  'your',
  'ur',
  'all',
  'any',
  'more',
  'further',
  'such',
  'my',
  'future',
  'marketing',
  'promotional',
  'survey',
  'feedback',
  'text',
  'sms',
  'annoying',
  'stupid',
  'automated',
  'damn',
  'bloody',
  'freaking',
  'fucking',
  'constant',
  'endless',
  'useless',
  'spam',
  'of',
  'other',
);
const dets = `(?:${det} )*`;
/** What is sent to a customer. */
const messages = `${words(
  'text messages?',
  'texts?',
  'txts?',
  'messages?',
  'msgs?',
  'sms(?:es)?',
  'surveys?',
  'questionnaires?',
  'spam',
  'notifications?',
  'reminders?',
  'calls?',
  'e-?mails?',
  'newsletters?',
)}\\b`;
/** Marketing, which a customer may also want stopped ("stop the offers"), though "no more offers?" is a complaint. */
const promotions = `${words(messages, 'promotions?', 'promos?', 'ads', 'adverts?', 'marketing', 'offers')}\\b`;
/** What may be sent: "stop sending me this crap" (but "stop the crap" is about anything). */
const sendable = `${words(promotions, 'junk', 'crap', 'stuff', 'rubbish', 'nonsense', 'anything')}\\b`;
/** Who or what is contacted: the customer, their number. */
const customer = `${words('me', 'us', 'to me', 'to us', 'my (?:phone |cell |mobile )?(?:number|phone)', 'this (?:phone )?number', 'this phone')}\\b`;
/** Words that may follow a request without changing it. */
const ender = `${words(
  'again',
  'anymore',
  'any more',
  'now',
  'please',
  'pls',
  'plz',
  'already',
  'immediately',
  'asap',
  'ever',
  'forever',
  'for good',
  'thanks',
  'thank you',
  'thx',
  'ok',
  'okay',
  'every day',
  'all the time',
  'right now',
  'at all',
  'lol',
)}\\b`;
/** A request's object: the customer, or nothing more than words like "again" ("stop texting", "stop texting now"). */
const objectIsCustomer = `(?: ${customer}| ${ender}|$)`;
/** Where a list is named: "from your list", "off your mailing list", "out of your system". */
const list = `${dets}${words(
  '(?:(?:sms|text|texting|mailing|contact|marketing|messaging|survey|call|calling|distribution|customer|subscriber|subscription|spam) )?(?:lists?|database|db|system|contacts|records)',
  promotions,
  'everything',
  'all',
  'this',
  'it',
  'you',
  'you guys',
  'your company',
)}\\b`;
/** Where a request may start: the clause's start, or after "please", "but", "can you", "I said"... */
const lead = `(?:^|\\b${words(
  'but',
  'and',
  'so',
  'then',
  'also',
  'just',
  'please',
  'pls',
  'plz',
  'kindly',
  'now',
  'ok',
  'okay',
  'hey',
  'hi',
  'hello',
  'seriously',
  'honestly',
  'i said',
  'i asked you to',
  'i told you to',
  "i'm asking you to",
  'i want you to',
  'i need you to',
  "i'd like you to",
  'i would like you to',
  'can you',
  'could you',
  'would you',
  'will you',
  'can u',
  'could u',
  'would u',
  'you can',
  'you should',
  'you need to',
  'you must',
  'you have to',
  'for the last time',
)} )`;
const gerunds = words(
  'texting',
  'txting',
  'messaging',
  'msging',
  'contacting',
  'calling',
  'ringing',
  'phoning',
  'bothering',
  'bugging',
  'spamming',
  'pestering',
  'harassing',
  'hassling',
  'e-?mailing',
  'surveying',
  'disturbing',
  'sms(?:ing)?',
  'writing to',
);
/** Verbs of contact that stand alone ("don't call", "never text me again"). */
const verbs = words(
  'text',
  'txt',
  'message',
  'msg',
  'contact',
  'call',
  'ring',
  'phone',
  'e-?mail',
  'survey',
  'sms',
  'spam',
  'write to',
);
/** Verbs that are about contact only with the customer as their object ("don't bother" is not; "don't bother me" is). */
const verbsOfMe = words('bother', 'bug', 'pester', 'harass', 'hassle', 'disturb');
const negation = words("don't", 'dont', 'do not', 'never');
const stopping = words('stop', 'quit', 'cease', 'halt', 'discontinue', 'end');
/** "send" is about texts only with texts or the customer as its object ("stop sending me invoices" is not). */
const sendingObject = (verb: string) =>
  `${verb}(?: ${customer})?(?: ${dets}${sendable}|(?: ${words('these', 'those', 'this', 'them', 'it')})?(?: ${ender})?$)`;
const unsubscribing = words('unsubscrib(?:e|ed|ing)', 'unsub', 'opt(?:ed|ing)?[ -]?out', 'opt me out');

const english: RegExp[] = [
  // "stop texting me", "please stop sending me these texts", "quit messaging", "stop the texts".
  new RegExp(
    `${lead}${stopping} (?:it )?(?:with )?${dets}(?:${promotions}|${gerunds}${objectIsCustomer}|${sendingObject('sending')})`,
    'u',
  ),
  // "don't text me again", "do not contact this number", "never send me anything", "don't bother me".
  new RegExp(
    `${lead}${negation} (?:ever |again |even )?(?:${verbs}${objectIsCustomer}|${verbsOfMe} ${customer}|${sendingObject('send')})`,
    'u',
  ),
  // "no more texts", "no further messages" (not "no more free coffee?").
  new RegExp(`${lead}no ${words('more', 'further')} ${dets}(?:${messages}|${words('contact', 'texting', 'messaging')}\\b)`, 'u'),
  new RegExp(`${lead}${words('leave me alone', 'go away')}\\b`, 'u'),
  // "remove me", "delete my number from your system", "take me off your list" (not "from the waiting list").
  new RegExp(
    `${lead}(?:${words('remove', 'delete', 'erase', 'drop', 'scrub')} ${words('me', 'my (?:phone |cell |mobile )?(?:number|no|details|info|information|contact details)', 'this (?:phone )?number')}(?: ${words('from', 'off', 'out of')} ${list}|(?: ${ender})?$)|${words('take', 'get')} ${words('me', 'my (?:phone |cell |mobile )?number', 'this number')} ${words('off', 'out of')}(?: ${list}|(?: ${ender})?$))`,
    'u',
  ),
  // "I want to be removed from your list", "I'd like my number deleted".
  new RegExp(
    `\\b${words('want', 'wish', 'like', 'need', 'ask', 'asking', 'request')} (?:to be|${words('me', 'my (?:phone )?number')}) ${words('removed', 'taken off', 'deleted', 'unsubscribed', 'opted out')}(?: ${words('from', 'off', 'of')} ${list}|(?: ${ender})?$)`,
    'u',
  ),
  // "revoke my consent", "I withdraw consent", "I do not consent".
  new RegExp(
    `\\b${words('revoke', 'revoking', 'revoked', 'withdraw', 'withdrawing', 'withdrew', 'cancel', 'cancelling', 'canceling', 'take back', 'taking back')} (?:my |all |any )*consent\\b`,
    'u',
  ),
  new RegExp(`\\bi ${words("don't", 'do not', 'no longer')} consent\\b`, 'u'),
  // "I never agreed to receive these texts", "I didn't sign up for this".
  new RegExp(
    `\\bi ${words('never', "didn't", 'did not')} ${words('consent(?:ed)?', 'agreed?', 'sign(?:ed)? up', 'opt(?:ed)? in', 'subscribed?', 'asked')} ${words('to', 'for')} (?:${words('receive', 'receiving', 'get', 'getting')} )?(?:${dets}${promotions}|${words('this', 'these', 'any of this', 'it')}(?: ${ender})?$|${words('be', 'being')} ${words('texted', 'contacted', 'messaged', 'surveyed')}\\b)`,
    'u',
  ),
  // "I don't want any more messages from you", "I no longer wish to receive texts" (not "we don't need offers").
  new RegExp(
    `\\b${words('i', 'we')} (?:${words('really', 'just', 'simply')} )?${words("don't", 'dont', 'do not', 'no longer', 'never')} ${words('want', 'wish', 'need')} (?:to ${words('receive', 'get', 'see', 'have')} )?${dets}${messages}`,
    'u',
  ),
  // "I don't want to be contacted again", "I do not wish to hear from you".
  new RegExp(
    `\\b${words("don't", 'dont', 'do not', 'no longer', 'never')} ${words('want', 'wish', 'like')} to (?:be ${words('contacted', 'texted', 'messaged', 'called', 'surveyed', 'bothered', 'disturbed', 'spammed', 'e-?mailed')}\\b|${words('hear from', 'receive anything from', 'get anything from')} ${words('you', 'your')}\\b)`,
    'u',
  ),
  // "cancel the texts"; "cancel my subscription" alone (not "... to the service plan").
  new RegExp(`${lead}cancel ${dets}${messages}`, 'u'),
  new RegExp(`${lead}cancel (?:${words('my', 'the', 'this')} )?subscription(?: ${ender})?$`, 'u'),
];
/** Unsubscribing and opting out are about texts unless their object is something else ("opted out of the warranty"). */
const unsubscribe = new RegExp(`\\b${unsubscribing}\\b(?<rest>.*)$`, 'u');
const unsubscribeObject = new RegExp(`^ ${words('of', 'from')} (?!${list})`, 'u');
/** "I don't want to unsubscribe", "I never opted out": not a request. */
const negatedBefore = new RegExp(
  `\\b${words("don't", 'dont', 'do not', "didn't", 'did not', 'never', "won't", 'will not', 'not', "doesn't", 'does not', 'no need to')}(?: \\S+){0,3} ?$`,
  'u',
);
/** A clause that is "stop" and nothing but politeness or impatience: "stop", "please stop", "stop it now", "STOP STOP". */
const bareStopFillers = new Set(
  'stop please pls plz just now it already thanks thank you thx ty ok okay and but so then seriously right immediately asap all this that oh omg ugh god ffs lol i said told to'.split(
    ' ',
  ),
);

function revokesInEnglish(clause: string): boolean {
  if (!/[a-z]/u.test(clause)) return false;
  const tokens = clause.split(' ');
  if (tokens.includes('stop') && tokens.every((token) => bareStopFillers.has(token))) return true;
  if (english.some((rule) => rule.test(clause))) return true;
  const found = unsubscribe.exec(clause);
  if (!found) return false;
  const before = clause.slice(0, found.index);
  return !negatedBefore.test(before) && !unsubscribeObject.test(found.groups?.rest ?? '');
}

// Chinese. A clause has no spaces between Han characters; a rule may match anywhere in it.
/** A request not to: 不要, 别, 请勿... (别 as in 特别, 区别, 告别 is not one). */
const zhNegation = `(?:请勿|不要|不用|不必|不需要|不许|不准|禁止|无需|用不着|没必要|甭|勿|莫|(?<![特区告分类个级性差识辨派送鉴])别(?!的))`;
const zhAgain = '(?:再也|再|以后|今后|往后|老是|总是|老|总|一直|天天|每天|经常|又|也|都|随便|乱)';
const zhToMe = '(?:给我们?|向我|跟我|找我|对我|和我|往我的?(?:手机|号码)?上?|给这个号码?)';
/** What may follow a verb of sending or contacting for it to be the request itself ("不用打电话确认" is not). */
const zhAfterVerb =
  '(?=$|[了啦吧啊呀哦噢嘛呢喔哈谢 ]|我们?(?=$|[了啦吧啊呀哦噢嘛呢喔哈谢好行 ]|休息|工作|上班|睡觉|的?生活)|给我(?=$|[了啦吧啊呀哦噢嘛呢 谢]|发|打|短信|信息|消息)|过来|来了|来$|这(?:种|些|类|样|么|条)|那(?:种|些|类|样|么)|短信|信息|消息|简讯|讯息|问卷|调查|骚扰|打扰|电话|服务)';
const zhVerb = `(?:发送|发短信|发信息|发消息|发问卷|传简讯|传讯息|简讯|发|推送|打扰|骚扰|联系|打电话|打我电话|打我手机|打来|来电|来短信|回访|叨扰|烦|短信|调查|问卷)${zhAfterVerb}`;
/** The texts themselves, as a noun. */
const zhMessages = '(?:短信|简讯|讯息|信息|消息|推送|电话回访|回访|调查|问卷|满意度调查|电话|来电)';
const zhWhose = '(?:你们的?|这种|这些|这类|此类|任何|类似的?|营销|垃圾|广告|的)*';

const chinese: RegExp[] = [
  // 拒收 (the platforms' own "拒收请回复R"), but not a parcel or a part refused.
  /(?<!被|快递|包裹|货|配件)拒收/u,
  // 取消短信 / 取消订阅 asked for (not "预约取消信息", a message about a cancelled booking).
  new RegExp(
    `(?:^|请|帮我|给我|我要|我想|麻烦|能不能|可以|怎么|如何|申请|(?<!不)[要想])取消(?:掉|了)?${zhWhose}(?:所有的?|全部的?|以后的?)?(?:短信|信息|消息|推送|回访|调查|问卷|订阅|广告|关注)`,
    'u',
  ),
  // 不想再收到你们的短信, 拒绝回访, 不再接收信息 (not "客服拒绝电话沟通").
  new RegExp(`(?:不想|不愿意?|不希望|拒绝|不再)再?(?:收到|接收|接到|接受|收|看到)?${zhWhose}${zhMessages}${zhAfterVerb}`, 'u'),
  // 停止发送, 停发短信, 停止给我发短信 (not 停车, 停止营业, "车一停发动机就抖").
  new RegExp(`停(?:止|掉)?${zhToMe}?(?:发送|发|推送|联系|骚扰|打扰|短信)${zhAfterVerb}`, 'u'),
  // 把我的号码删掉, 删除我的手机号, 从名单里移除.
  /把我的?(?:手机号码|手机号|电话号码|号码|电话|手机|联系方式)?(?:从[^ ]{0,10}?)?(?:删除|删掉|删了|移除|去掉|除名|去除)/u,
  /(?:删除|删掉|移除|去掉)我的?(?:手机号码|手机号|电话号码|号码|电话|手机|联系方式)/u,
  /(?:已经?|我要|我会|我就|直接)拉黑/u,
  // 再发就投诉, 再打电话我就报警.
  /再(?:发|打|来|骚扰|打扰|联系)[^ ]{0,8}?就(?:投诉|举报|报警|拉黑|告|起诉|打?12315)/u,
  /免打扰|勿扰/u,
];
/** 不要再给我发短信了, 别再打扰我, 不需要你们的回访. */
const zhDont = new RegExp(`${zhNegation}${zhAgain}{0,3}${zhToMe}?再?(?:${zhVerb}|${zhWhose}${zhMessages}${zhAfterVerb})`, 'gu');
/** Someone else's request, reported ("客服叫我别再打电话", "师傅说不要再联系"), and "要不要" (a question). */
const zhReported = /(?:(?:叫|让|要|告诉|嘱咐|吩咐|提醒|劝)我们?说?|[^我]说|^说|要)$/u;
/** 退订 cancels a booking or a package too: "套餐退订了钱还没退", "退订了保养套餐". */
const zhUnsubscribe = /(?<!被)退订/gu;
const zhBookedBefore = /(?:套餐|保养|预约|订单|服务包?|会员|保险|配件|项目|酒店|机票|门票)$/u;
const zhBookedAfter = /^了?(?:的?(?:套餐|保养|预约|订单|服务包|会员|保险|配件|券|卡|项目|车位|酒店|机票|门票|房|钱|款|费))/u;

function revokesInChinese(clause: string): boolean {
  if (!/\p{Script=Han}/u.test(clause)) return false;
  if (chinese.some((rule) => rule.test(clause))) return true;
  for (const found of clause.matchAll(zhDont)) {
    if (!zhReported.test(clause.slice(0, found.index))) return true;
  }
  for (const found of clause.matchAll(zhUnsubscribe)) {
    const before = clause.slice(0, found.index);
    const after = clause.slice(found.index + found[0].length);
    if (!zhBookedBefore.test(before) && !zhBookedAfter.test(after)) return true;
  }
  return false;
}
