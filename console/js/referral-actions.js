// What this desk may do with a referral, and the form of each action.
import { api, markOwn } from './api.js';
import { addDays, rfc, todayDate } from './dates.js';
import { t } from './i18n.js';
import { orgName, serviceName } from './names.js';
import { S } from './state.js';
import { formDialog, toast } from './widgets.js';

export function sideOf(r) {
  const org = S.me.organization_id;
  if (S.me.role === 'admin') return 'admin';
  if (r.to_organization_id === org) return 'receiver';
  if (r.from_organization_id === org) return 'sender';
  return 'watcher';
}

export function actionsFor(r) {
  const side = sideOf(r);
  const out = [];
  if (side === 'receiver') {
    if (r.status === 'submitted') out.push('accept', 'reject', 'return');
    if (r.status === 'accepted') out.push('schedule');
    if (r.status === 'scheduled') out.push('arrive');
    if (r.status === 'arrived') out.push('complete');
  }
  if (side === 'sender' && r.status === 'submitted') out.push('cancel');
  if ((side === 'receiver' || side === 'sender') && r.status === 'scheduled') out.push('no_show');
  return out;
}

// done(after) shows the referral as the action left it.
export function refAction(r, a, done) {
  const path = `/referrals/${r.id}/${a === 'no_show' ? 'no-show' : a}`;
  const run = async (body) => {
    markOwn(r.id);
    const after = await api(path, { method: 'POST', body });
    toast(t('ref.done', { action: t(`raction.${a}`) }), 'ok', (r.patient && r.patient.name) || '');
    done(after);
  };
  const opt = (s) => s || null;
  const title = `${t(`raction.${a}`)} · ${(r.patient && r.patient.name) || ''}`;
  switch (a) {
    case 'accept':
      return formDialog({
        title, submit: t('raction.accept'),
        fields: [
          { name: 'receiving_doctor', label: t('rf.receiving_doctor') },
          { name: 'comment', label: t('rf.comment'), type: 'textarea', rows: 2 },
        ],
        onSubmit: (v) => run({ receiving_doctor: opt(v.receiving_doctor), comment: opt(v.comment) }),
      });
    case 'reject':
      return formDialog({
        title, submit: t('raction.reject'), danger: true,
        fields: [
          { name: 'reason_code', label: t('rf.reason_code'), type: 'select', required: true, options: ['outside_scope', 'no_capacity', 'incomplete_information', 'manage_at_grassroots', 'other'].map((c) => [c, t(`reject.${c}`)]) },
          { name: 'comment', label: t('rf.comment'), type: 'textarea', rows: 2 },
        ],
        onSubmit: (v) => run({ reason_code: v.reason_code, comment: opt(v.comment) }),
      });
    case 'return':
      return formDialog({
        title, submit: t('raction.return'),
        fields: [{ name: 'advice', label: t('rf.advice'), type: 'textarea', required: true }],
        onSubmit: (v) => run({ advice: v.advice }),
      });
    case 'schedule': {
      const when = `${addDays(todayDate(), 1)}T09:00`;
      return formDialog({
        title, submit: t('raction.schedule'),
        fields: [
          { name: 'appointment_at', label: t('rf.appointment_at'), type: 'datetime', required: true, value: when },
          { name: 'department', label: t('rf.department'), required: true, value: r.department || '' },
          { name: 'location', label: t('rf.location'), required: true },
        ],
        onSubmit: (v) => run({ appointment_at: rfc(v.appointment_at.slice(0, 10), v.appointment_at.slice(11, 16)), department: v.department, location: v.location }),
      });
    }
    case 'arrive':
      return formDialog({ title, intro: t('rf.confirmArrive'), submit: t('raction.arrive'), fields: [], onSubmit: () => run({}) });
    case 'no_show':
      return formDialog({ title, intro: t('rf.confirmNoShow'), submit: t('raction.no_show'), danger: true, fields: [], onSubmit: () => run({}) });
    case 'cancel':
      return formDialog({
        title, submit: t('raction.cancel'), danger: true,
        fields: [{ name: 'reason', label: t('rf.reason'), type: 'textarea', required: true, rows: 2 }],
        onSubmit: (v) => run({ reason: v.reason }),
      });
    case 'complete':
      return formDialog({
        title, submit: t('raction.complete'),
        fields: [
          { name: 'diagnosis_text', label: t('rf.diagnosis_text'), required: true, value: (r.diagnosis && r.diagnosis.text) || '' },
          { name: 'diagnosis_code', label: t('rf.diagnosis_code'), value: (r.diagnosis && r.diagnosis.code) || '' },
          { name: 'treatment_given', label: t('rf.treatment_given'), type: 'textarea', required: true, rows: 2 },
          { name: 'recommendations', label: t('rf.recommendations'), type: 'textarea', required: true, rows: 2 },
          { name: 'inpatient_record_number', label: t('rf.inpatient_record_number') },
          { name: 'main_test_results', label: t('rf.main_test_results'), type: 'textarea', rows: 2 },
          ...(r.direction === 'up' ? [
            { name: 'down', label: t('rf.down'), type: 'select', options: [['', t('rf.downNo')], ['yes', t('rf.downYes', { org: orgName(r.from_organization_id) })]] },
            { name: 'follow_service', label: t('rf.followService'), type: 'select', options: [['', t('rf.followNone')], ...[...S.services.values()].filter((x) => ['nursing', 'rehabilitation', 'health_care'].includes(x.category)).map((x) => [x.code, serviceName(x.code)])] },
            { name: 'follow_per_week', label: t('rf.followPerWeek'), type: 'number', value: '2' },
            { name: 'follow_weeks', label: t('rf.followWeeks'), type: 'number', value: '4' },
          ] : []),
        ],
        onSubmit: (v) => run({
          diagnosis: { code: opt(v.diagnosis_code), text: v.diagnosis_text },
          treatment_given: v.treatment_given, recommendations: v.recommendations,
          inpatient_record_number: opt(v.inpatient_record_number), main_test_results: opt(v.main_test_results),
          ...(v.down === 'yes' ? {
            down_referral: {
              follow_up: v.follow_service ? { service_type: v.follow_service, visits_per_week: Number(v.follow_per_week) || 0, weeks: Number(v.follow_weeks) || 0 } : null,
            },
          } : {}),
        }),
      });
    default: return null;
  }
}
