// The API's errors: problem+json answers as ApiError, and shown readable.
import { h } from './dom.js';
import { DICT, t, tOr } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || (status === 0 ? 'network' : 'generic');
    this.errors = Array.isArray(this.body.errors) ? this.body.errors : [];
  }
}

// A problem+json answer, readable: what went wrong, the server's detail, each field's message.
export function problemBox(err, fieldLabels = {}) {
  const e = err instanceof ApiError ? err : new ApiError(0, { detail: String(err && err.message) });
  const head = DICT[`err.${e.code}`] ? t(`err.${e.code}`) : (e.body.title || t('err.generic'));
  return h('div', { class: 'problem', role: 'alert', data: { code: e.code } },
    h('strong', { class: 'problem-title', text: head }),
    e.body.detail ? h('div', { class: 'problem-detail', text: e.body.detail }) : null,
    e.errors.length ? h('ul', { class: 'problem-fields' }, e.errors.map((f) => h('li', { data: { field: f.field } },
      h('b', { text: fieldLabels[f.field] || tOr(`field.${f.field}`, f.field) }), ' ', f.message))) : null,
    e.code && e.code !== 'generic' && e.code !== 'network' ? h('small', { class: 'problem-code', text: e.code }) : null);
}
