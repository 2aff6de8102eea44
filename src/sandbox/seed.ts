/**
 * Deterministic seed data: two small companies that between them hold every situation the diagnosis
 * rules must tell apart (preference on/off, private vs shared inboxes, several workspaces, a merge), and one big
 * company (200 teammates on Starter) too big to check every teammate within one diagnosis's share of its limit.
 * IDs follow Front's shape (prefix + lowercase base-36) so the paste parser treats them as real ones.
 */

export type CompanyKey = 'acme' | 'globex' | 'initech';
export type Plan = 'Starter' | 'Professional' | 'Enterprise';

/** Requests per minute per company, by plan (docs/front-behaviour.md §4). */
export const PLAN_RATE_LIMITS: Record<Plan, number> = { Starter: 50, Professional: 100, Enterprise: 200 };

export interface SeedTeam {
  id: string;
  name: string;
  memberIds: string[];
}

export interface SeedTeammate {
  id: string;
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  isAdmin: boolean;
  isAvailable: boolean;
  isBlocked: boolean;
  /** The personal preference "Allow access to my individual resources via the API". No API field shows it. */
  apiAccessToIndividualResources: boolean;
}

export type InboxOwner = { kind: 'teammate'; id: string } | { kind: 'team'; id: string };

export interface SeedInbox {
  id: string;
  name: string;
  owner: InboxOwner;
  isPublic: boolean;
}

export interface SeedTag {
  id: string;
  name: string;
  createdAt: number;
  /** A teammate's private tag, or a workspace's; absent for a company-wide tag. */
  owner?: InboxOwner;
}

/** Kinds of resource a teammate (private) or a workspace (shared) can own, besides inboxes and tags. */
export type OwnedKind = 'contact' | 'message_template' | 'signature' | 'channel' | 'rule';

export interface SeedOwned {
  id: string;
  kind: OwnedKind;
  name: string;
  owner: InboxOwner;
  /** A channel's inbox; a contact's email handle, a channel's address. */
  inboxId?: string;
  address?: string;
}

export interface SeedComment {
  id: string;
  conversationId: string;
  authorId: string;
  body: string;
  postedAt: number;
}

export interface SeedConversation {
  id: string;
  subject: string;
  status: 'assigned' | 'unassigned' | 'archived';
  inboxIds: string[];
  assigneeId: string | null;
  recipient: { name: string; handle: string; contactId: string };
  tagIds: string[];
  lastMessageId: string;
  createdAt: number;
  updatedAt: number;
  waitingSince?: number;
}

export interface SeedCompany {
  key: CompanyKey;
  id: string;
  name: string;
  /** Subdomain Front uses in its own links (https://<slug>.api.frontapp.com). */
  slug: string;
  plan: Plan;
  /** 20 hex characters, the `sub` claim of this company's tokens. */
  tokenSubject: string;
  teams: SeedTeam[];
  teammates: SeedTeammate[];
  inboxes: SeedInbox[];
  tags: SeedTag[];
  /** Contacts, message templates, signatures, channels and rules, private (a teammate's) or shared. */
  resources: SeedOwned[];
  /** Comments on conversations: readable exactly when their conversation is. */
  comments: SeedComment[];
  conversations: SeedConversation[];
  /** Old conversation ID → the conversation it was merged into (answers 301). */
  merged: Record<string, string>;
}

/** `tim:<n>` scopes name a team by the number behind its base-36 ID (tim_k30 ↔ tim:26028). */
export function teamNumber(teamId: string): number {
  return parseInt(teamId.replace(/^tim_/, ''), 36);
}

export function teamIdFromNumber(n: number): string {
  return `tim_${n.toString(36)}`;
}

const ACME: SeedCompany = {
  key: 'acme',
  id: 'cmp_a3c1',
  name: 'Acme Support',
  slug: 'acme-support',
  plan: 'Starter',
  tokenSubject: '5f2b8c1e9a0d47b3c6e1',
  teams: [
    { id: 'tim_k30', name: 'Support', memberIds: ['tea_6r55a', 'tea_6r55b', 'tea_6r55c', 'tea_6r55e'] },
    { id: 'tim_k31', name: 'Billing', memberIds: ['tea_6r55a', 'tea_6r55d'] },
  ],
  teammates: [
    {
      id: 'tea_6r55a',
      email: 'ada.moreno@acme.example',
      username: 'ada',
      firstName: 'Ada',
      lastName: 'Moreno',
      isAdmin: true,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: true,
    },
    {
      id: 'tea_6r55b',
      email: 'bruno.keller@acme.example',
      username: 'bruno',
      firstName: 'Bruno',
      lastName: 'Keller',
      isAdmin: false,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: false,
    },
    {
      id: 'tea_6r55c',
      email: 'chloe.martin@acme.example',
      username: 'chloe',
      firstName: 'Chloé',
      lastName: 'Martin',
      isAdmin: false,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: true,
    },
    {
      id: 'tea_6r55d',
      email: 'dmitri.ivanov@acme.example',
      username: 'dmitri',
      firstName: 'Dmitri',
      lastName: 'Ivanov',
      isAdmin: false,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: false,
    },
    {
      id: 'tea_6r55e',
      email: 'erin.walsh@acme.example',
      username: 'erin',
      firstName: 'Erin',
      lastName: 'Walsh',
      isAdmin: false,
      isAvailable: false,
      isBlocked: false,
      apiAccessToIndividualResources: true,
    },
  ],
  inboxes: [
    { id: 'inb_1ix6', name: 'Support', owner: { kind: 'team', id: 'tim_k30' }, isPublic: true },
    { id: 'inb_1ix7', name: 'Billing', owner: { kind: 'team', id: 'tim_k31' }, isPublic: false },
    { id: 'inb_1ix8', name: 'Ada Moreno', owner: { kind: 'teammate', id: 'tea_6r55a' }, isPublic: false },
    { id: 'inb_1ix9', name: 'Bruno Keller', owner: { kind: 'teammate', id: 'tea_6r55b' }, isPublic: false },
    { id: 'inb_1ixa', name: 'Chloé Martin', owner: { kind: 'teammate', id: 'tea_6r55c' }, isPublic: false },
    { id: 'inb_1ixb', name: 'Dmitri Ivanov', owner: { kind: 'teammate', id: 'tea_6r55d' }, isPublic: false },
  ],
  tags: [
    { id: 'tag_2oxhvy', name: 'Refund', createdAt: 1700000000.125 },
    { id: 'tag_2oxhvz', name: 'Call back', createdAt: 1700100000.5, owner: { kind: 'teammate', id: 'tea_6r55b' } },
  ],
  resources: [
    { id: 'crd_2njtoem', kind: 'contact', name: 'Olivia Grant', owner: { kind: 'team', id: 'tim_k30' } },
    // Chloé's own contact; her preference is on, so only a token without the private scope is refused.
    { id: 'crd_2njtoez', kind: 'contact', name: 'Vera Lindqvist', owner: { kind: 'teammate', id: 'tea_6r55c' } },
    { id: 'rsp_16yd', kind: 'message_template', name: 'Welcome', owner: { kind: 'team', id: 'tim_k30' } },
    { id: 'rsp_16yc', kind: 'message_template', name: 'Refund approved', owner: { kind: 'teammate', id: 'tea_6r55b' } },
    { id: 'sig_6rrv2', kind: 'signature', name: 'Contracts', owner: { kind: 'teammate', id: 'tea_6r55d' } },
    {
      id: 'cha_1ab2',
      kind: 'channel',
      name: 'Bruno Keller',
      owner: { kind: 'teammate', id: 'tea_6r55b' },
      inboxId: 'inb_1ix9',
      address: 'bruno.keller@acme.example',
    },
    {
      id: 'cha_1ab3',
      kind: 'channel',
      name: 'Ada Moreno',
      owner: { kind: 'teammate', id: 'tea_6r55a' },
      inboxId: 'inb_1ix8',
      address: 'ada.moreno@acme.example',
    },
    {
      id: 'cha_1ab0',
      kind: 'channel',
      name: 'Support',
      owner: { kind: 'team', id: 'tim_k30' },
      inboxId: 'inb_1ix6',
      address: 'support@acme.example',
    },
    { id: 'rul_58xhq', kind: 'rule', name: 'Star contract emails', owner: { kind: 'teammate', id: 'tea_6r55d' } },
    { id: 'rul_58xhr', kind: 'rule', name: 'Route refunds to Billing', owner: { kind: 'team', id: 'tim_k31' } },
  ],
  comments: [
    {
      id: 'com_1a2b3c',
      conversationId: 'cnv_yo1kg5r',
      authorId: 'tea_6r55a',
      body: 'Sent the March invoice again.',
      postedAt: 1718103000.25,
    },
    {
      id: 'com_1a2b3d',
      conversationId: 'cnv_yo1kg5v',
      authorId: 'tea_6r55d',
      body: 'Waiting for legal.',
      postedAt: 1718400900.75,
    },
  ],
  conversations: [
    {
      id: 'cnv_yo1kg5q',
      subject: 'Refund for order #4417',
      status: 'assigned',
      inboxIds: ['inb_1ix9'],
      assigneeId: 'tea_6r55b',
      recipient: { name: 'Olivia Grant', handle: 'olivia.grant@customer.example', contactId: 'crd_2njtoem' },
      tagIds: ['tag_2oxhvy'],
      lastMessageId: 'msg_1q15qmtq',
      createdAt: 1718003021.481,
      updatedAt: 1718089455.02,
      waitingSince: 1718089455.02,
    },
    {
      id: 'cnv_yo1kg5r',
      subject: 'Invoice copy for March',
      status: 'assigned',
      inboxIds: ['inb_1ix8'],
      assigneeId: 'tea_6r55a',
      recipient: { name: 'Samir Haddad', handle: 'samir@haddad-trading.example', contactId: 'crd_2njtoen' },
      tagIds: [],
      lastMessageId: 'msg_1q15qmtr',
      createdAt: 1718100012.5,
      updatedAt: 1718103377.75,
    },
    {
      id: 'cnv_yo1kg5s',
      subject: 'Password reset email not arriving',
      status: 'unassigned',
      inboxIds: ['inb_1ix6'],
      assigneeId: null,
      recipient: { name: 'Jonas Berg', handle: 'jonas.berg@mail.example', contactId: 'crd_2njtoeo' },
      tagIds: [],
      lastMessageId: 'msg_1q15qmts',
      createdAt: 1718200101.2,
      updatedAt: 1718200101.2,
      waitingSince: 1718200101.2,
    },
    {
      id: 'cnv_yo1kg5t',
      subject: 'VAT number on invoices',
      status: 'assigned',
      inboxIds: ['inb_1ix7'],
      assigneeId: 'tea_6r55d',
      recipient: { name: 'Marie Dubois', handle: 'compta@dubois-sarl.example', contactId: 'crd_2njtoep' },
      tagIds: [],
      lastMessageId: 'msg_1q15qmtt',
      createdAt: 1718300444.9,
      updatedAt: 1718310000.1,
    },
    {
      id: 'cnv_yo1kg5v',
      subject: 'Contract renewal draft',
      status: 'assigned',
      inboxIds: ['inb_1ixb'],
      assigneeId: 'tea_6r55d',
      recipient: { name: 'Kenji Watanabe', handle: 'k.watanabe@example.org', contactId: 'crd_2njtoeq' },
      tagIds: [],
      lastMessageId: 'msg_1q15qmtv',
      createdAt: 1718400555.3,
      updatedAt: 1718400999.6,
    },
    {
      id: 'cnv_yo1kg5w',
      subject: 'Shipping delay follow-up',
      status: 'archived',
      inboxIds: ['inb_1ixa'],
      assigneeId: 'tea_6r55c',
      recipient: { name: 'Lucía Fernández', handle: 'lucia.fernandez@example.net', contactId: 'crd_2njtoer' },
      tagIds: [],
      lastMessageId: 'msg_1q15qmtw',
      createdAt: 1718500666.8,
      updatedAt: 1718590000.4,
    },
  ],
  merged: { cnv_yo1kg5u: 'cnv_yo1kg5s' },
};

const GLOBEX: SeedCompany = {
  key: 'globex',
  id: 'cmp_g10b',
  name: 'Globex',
  slug: 'globex',
  plan: 'Professional',
  tokenSubject: 'a94c03d7e2f1b6588d20',
  teams: [
    { id: 'tim_m10', name: 'Customer Care', memberIds: ['tea_7k20a', 'tea_7k20c'] },
    { id: 'tim_m11', name: 'Logistics', memberIds: ['tea_7k20a', 'tea_7k20b', 'tea_7k20d'] },
  ],
  teammates: [
    {
      id: 'tea_7k20a',
      email: 'hana.sato@globex.example',
      username: 'hana',
      firstName: 'Hana',
      lastName: 'Sato',
      isAdmin: true,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: true,
    },
    {
      id: 'tea_7k20b',
      email: 'marco.rossi@globex.example',
      username: 'marco',
      firstName: 'Marco',
      lastName: 'Rossi',
      isAdmin: false,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: false,
    },
    {
      id: 'tea_7k20c',
      email: 'priya.nair@globex.example',
      username: 'priya',
      firstName: 'Priya',
      lastName: 'Nair',
      isAdmin: false,
      isAvailable: true,
      isBlocked: false,
      apiAccessToIndividualResources: true,
    },
    {
      id: 'tea_7k20d',
      email: 'lena.fischer@globex.example',
      username: 'lena',
      firstName: 'Lena',
      lastName: 'Fischer',
      isAdmin: false,
      isAvailable: false,
      isBlocked: true,
      apiAccessToIndividualResources: false,
    },
  ],
  inboxes: [
    { id: 'inb_2b00', name: 'Customer Care', owner: { kind: 'team', id: 'tim_m10' }, isPublic: true },
    { id: 'inb_2b01', name: 'Logistics', owner: { kind: 'team', id: 'tim_m11' }, isPublic: true },
    { id: 'inb_2b02', name: 'Hana Sato', owner: { kind: 'teammate', id: 'tea_7k20a' }, isPublic: false },
    { id: 'inb_2b03', name: 'Marco Rossi', owner: { kind: 'teammate', id: 'tea_7k20b' }, isPublic: false },
    { id: 'inb_2b04', name: 'Priya Nair', owner: { kind: 'teammate', id: 'tea_7k20c' }, isPublic: false },
  ],
  tags: [
    { id: 'tag_3b0c1', name: 'Customs hold', createdAt: 1710000000.25, owner: { kind: 'teammate', id: 'tea_7k20b' } },
  ],
  resources: [
    { id: 'sig_7a1b', kind: 'signature', name: 'Marco (logistics)', owner: { kind: 'teammate', id: 'tea_7k20b' } },
    { id: 'rsp_2c0a', kind: 'message_template', name: 'Pallet damage', owner: { kind: 'team', id: 'tim_m11' } },
  ],
  comments: [],
  conversations: [
    {
      id: 'cnv_zq3ab10',
      subject: 'Damaged pallet in Rotterdam',
      status: 'assigned',
      inboxIds: ['inb_2b01'],
      assigneeId: 'tea_7k20b',
      recipient: { name: 'Pieter de Vries', handle: 'p.devries@havenlogistiek.example', contactId: 'crd_3a0b1c' },
      tagIds: [],
      lastMessageId: 'msg_2a11b0',
      createdAt: 1719000100.1,
      updatedAt: 1719003600.9,
    },
    {
      id: 'cnv_zq3ab11',
      subject: 'Customs paperwork for shipment 88-120',
      status: 'assigned',
      inboxIds: ['inb_2b03'],
      assigneeId: 'tea_7k20b',
      recipient: { name: 'Aylin Demir', handle: 'aylin.demir@example.com', contactId: 'crd_3a0b1d' },
      tagIds: [],
      lastMessageId: 'msg_2a11b1',
      createdAt: 1719100200.2,
      updatedAt: 1719100900.4,
    },
    {
      id: 'cnv_zq3ab12',
      subject: 'Quote for 40 units',
      status: 'assigned',
      inboxIds: ['inb_2b02'],
      assigneeId: 'tea_7k20a',
      recipient: { name: 'Tom Becker', handle: 'tom.becker@example.com', contactId: 'crd_3a0b1e' },
      tagIds: [],
      lastMessageId: 'msg_2a11b2',
      createdAt: 1719200300.3,
      updatedAt: 1719200300.3,
      waitingSince: 1719200300.3,
    },
    {
      // Listed in a shared inbox and in a teammate's individual inbox at once.
      id: 'cnv_zq3ab14',
      subject: 'Warranty claim #A-2291',
      status: 'unassigned',
      inboxIds: ['inb_2b00', 'inb_2b04'],
      assigneeId: null,
      recipient: { name: 'Grace Okafor', handle: 'grace.okafor@example.org', contactId: 'crd_3a0b1f' },
      tagIds: [],
      lastMessageId: 'msg_2a11b4',
      createdAt: 1719400500.5,
      updatedAt: 1719401000.5,
    },
  ],
  merged: { cnv_zq3ab13: 'cnv_zq3ab10' },
};

/** Teammates of the big company. */
export const BIG_COMPANY_SIZE = 200;
/** Where the owner of the big company's private conversation stands in GET /teammates: far past what one diagnosis checks. */
const BIG_COMPANY_OWNER_INDEX = 137;

function bigCompanyTeammate(i: number): SeedTeammate {
  const n = String(i + 1).padStart(3, '0');
  const owner = i === BIG_COMPANY_OWNER_INDEX;
  return {
    id: `tea_9b${i.toString(36).padStart(2, '0')}`,
    email: owner ? 'peter.gibbons@initech.example' : `agent${n}@initech.example`,
    username: owner ? 'peter' : `agent${n}`,
    firstName: owner ? 'Peter' : 'Agent',
    lastName: owner ? 'Gibbons' : n,
    isAdmin: i === 0,
    isAvailable: true,
    isBlocked: false,
    // Only the owner of the private conversation has the preference off.
    apiAccessToIndividualResources: !owner,
  };
}

/** 200 teammates on Starter (50 requests a minute): the owner of cnv_9b0c001 is the 138th of them. */
function bigCompany(): SeedCompany {
  const teammates = Array.from({ length: BIG_COMPANY_SIZE }, (_, i) => bigCompanyTeammate(i));
  const owner = teammates[BIG_COMPANY_OWNER_INDEX]!;
  return {
    key: 'initech',
    id: 'cmp_i7e0',
    name: 'Initech',
    slug: 'initech',
    plan: 'Starter',
    tokenSubject: '3c9e1d7a5b2f8046e1d9',
    teams: [{ id: 'tim_p20', name: 'Support', memberIds: teammates.map((t) => t.id) }],
    teammates,
    inboxes: [
      { id: 'inb_3c00', name: 'Support', owner: { kind: 'team', id: 'tim_p20' }, isPublic: true },
      { id: 'inb_3c01', name: 'Peter Gibbons', owner: { kind: 'teammate', id: owner.id }, isPublic: false },
    ],
    tags: [],
    resources: [],
    comments: [],
    conversations: [
      {
        id: 'cnv_9b0c001',
        subject: 'TPS report cover sheets',
        status: 'assigned',
        inboxIds: ['inb_3c01'],
        assigneeId: owner.id,
        recipient: { name: 'Bill Lumbergh', handle: 'bill@lumbergh.example', contactId: 'crd_4c0a1' },
        tagIds: [],
        lastMessageId: 'msg_3b11c0',
        createdAt: 1720000100.1,
        updatedAt: 1720000900.2,
      },
    ],
    merged: {},
  };
}

/** A fresh copy each time, so one sandbox's run-time changes never leak into another. */
export function seedCompanies(): Record<CompanyKey, SeedCompany> {
  return structuredClone({ acme: ACME, globex: GLOBEX, initech: bigCompany() });
}
