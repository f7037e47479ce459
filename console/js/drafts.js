// Draft up-referrals (待发送转诊草稿): what carelink prepared after two follow-ups out of control
// in a row; the clinic sends one (发送: it becomes a referral in the hospital's inbox) or
// discards it (放弃).
import { all, api, markOwn } from './api.js';
import { shortDateTime } from './dates.js';
import { clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t } from './i18n.js';
import { ensureResidents, orgName, residentName } from './names.js';
import { card, formDialog, kv, toast } from './widgets.js';

export function renderDrafts(box) {
  const list = h('div', { id: 'df-list' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  box.append(card(t('df.title'), h('span', { class: 'muted small', text: t('df.hint') }), list));
  load(list);
}

async function load(list) {
  try {
    const items = await all('/referral-drafts?status=draft');
    await ensureResidents(items.map((d) => d.resident_id));
    clear(list);
    if (!items.length) { list.append(h('p', { class: 'empty', text: t('df.empty') })); return; }
    list.append(h('ul', { class: 'list df-list' }, items.map((d) => draftItem(d, () => load(list)))));
  } catch (e) { clear(list).append(problemBox(e)); }
}

const reading = (f) => [
  typeof f.systolic_mmhg === 'number' ? `${f.systolic_mmhg}/${f.diastolic_mmhg ?? '—'} mmHg` : null,
  typeof f.fasting_glucose_mmol_l === 'number' ? `${f.fasting_glucose_mmol_l} mmol/L` : null,
].filter(Boolean).join(' · ');

function draftItem(d, reload) {
  const form = d.form || {};
  const diag = form.diagnosis ? `${form.diagnosis.text || ''}${form.diagnosis.code ? `（${form.diagnosis.code}）` : ''}` : null;
  const follow = ((form.clinical_summary || {}).follow_ups || []);
  const who = residentName(d.resident_id);
  return h('li', { class: 'df-item', data: { draftId: d.id, status: d.status } },
    h('div', { class: 'df-head' },
      h('a', { href: `#care?resident=${encodeURIComponent(d.resident_id)}`, class: 'df-name' }, h('strong', { text: who })),
      h('span', { class: 'dir dir-up', text: `↑ ${t('ref.up')}` }),
      h('span', { class: 'muted small', text: shortDateTime(d.created_at) }),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'btn btn-primary btn-sm df-send', on: { click: () => send(d, who, reload) } }, t('df.send')),
      h('button', { type: 'button', class: 'btn btn-danger-ghost btn-sm df-discard', on: { click: () => discard(d, who, reload) } }, t('df.discard'))),
    kv([
      [t('df.to'), form.to_organization_id ? orgName(form.to_organization_id) : null],
      [t('df.diagnosis'), diag],
      [t('df.reason'), form.reason],
      [t('df.followUps'), follow.length ? h('ol', { class: 'df-follow' }, follow.map((f) => h('li', {}, h('span', { class: 'muted', text: `${f.on || ''} ` }), h('span', { class: 'overdue-text', text: reading(f) })))) : null],
    ]));
}

function send(d, who, reload) {
  const to = d.form && d.form.to_organization_id ? orgName(d.form.to_organization_id) : '';
  formDialog({
    title: `${t('df.send')} · ${who}`, intro: t('df.confirmSend', { org: to }), submit: t('df.send'), fields: [],
    onSubmit: async () => {
      markOwn(d.id);
      await api(`/referral-drafts/${d.id}/send`, { method: 'POST', body: {} });
      toast(t('df.sentToast'), 'ok', `${who} → ${to}`);
      reload();
    },
  });
}

function discard(d, who, reload) {
  formDialog({
    title: `${t('df.discard')} · ${who}`, submit: t('df.discard'), danger: true,
    fields: [{ name: 'reason', label: t('df.discardReason'), type: 'textarea', rows: 2 }],
    onSubmit: async ({ reason }) => {
      markOwn(d.id);
      await api(`/referral-drafts/${d.id}/discard`, { method: 'POST', body: { reason: reason || null } });
      toast(t('df.discardedToast'), 'ok', who);
      reload();
    },
  });
}
