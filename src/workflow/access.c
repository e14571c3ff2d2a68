/*
 * access.c - roles, departments and separation of duties; see access.h.
 */
#include "access.h"

bool has_role(const struct user *u, enum role r)
{
    return u && (u->roles & r);
}

enum xcode access_read_ledger(const struct user *actor, struct xerr *e)
{
    if (!actor || actor->roles)
        return XOK;
    return xerr_set(e, X_FORBIDDEN, "台帳を閲覧する権限がありません");
}

enum xcode access_read_request(const struct user *actor, long long department_id, struct xerr *e)
{
    if (!actor || has_role(actor, ROLE_APPROVER) || has_role(actor, ROLE_CISO) ||
        has_role(actor, ROLE_AUDITOR))
        return XOK;
    if (has_role(actor, ROLE_MANAGER) && actor->department_id == department_id)
        return XOK;
    return xerr_set(
        e, X_FORBIDDEN,
        "この申請を閲覧する権限がありません（情報セキュリティ管理者は自所属の申請のみ）");
}

enum xcode access_list_requests(const struct user *actor, struct xerr *e)
{
    if (!actor || has_role(actor, ROLE_APPROVER) || has_role(actor, ROLE_CISO) ||
        has_role(actor, ROLE_AUDITOR) || has_role(actor, ROLE_MANAGER))
        return XOK;
    return xerr_set(e, X_FORBIDDEN, "申請を閲覧する権限がありません");
}

enum xcode access_applicant(const struct user *actor, long long department_id, struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (!has_role(actor, ROLE_MANAGER))
        return xerr_set(e, X_FORBIDDEN,
                        "利用申請は情報セキュリティ管理者（manager）が行います（本基準5(2)①）");
    if (department_id && actor->department_id != department_id)
        return xerr_set(e, X_FORBIDDEN, "他の所属の申請は操作できません（%s の申請ではありません）",
                        actor->department);
    return XOK;
}

enum xcode access_write_requests(const struct user *actor, struct xerr *e)
{
    if (!actor || has_role(actor, ROLE_MANAGER) || has_role(actor, ROLE_APPROVER))
        return XOK;
    return xerr_set(e, X_FORBIDDEN,
                    "申請と台帳の変更は情報セキュリティ管理者（manager）と利用申請の許可権限者"
                    "（approver）だけが行えます（本基準5(1), 5(2)）");
}

enum xcode access_decide(const struct user *actor, enum req_action action, long long created_by,
                         bool submitted_by_actor, struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (!has_role(actor, ROLE_APPROVER))
        return xerr_set(e, X_FORBIDDEN,
                        "審査・可否決定は利用申請の許可権限者（情報システム管理者, "
                        "approver）が行います（本基準5(1)）");
    if (action == ACT_APPROVE && (actor->id == created_by || submitted_by_actor))
        return xerr_set(e, X_FORBIDDEN,
                        "自分が作成・編集・申請した申請は承認できません（職務の分離）");
    return XOK;
}

enum xcode access_conclude(const struct user *actor, long long created_by, struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (!has_role(actor, ROLE_APPROVER))
        return xerr_set(e, X_FORBIDDEN,
                        "事前協議を協議済みにできるのは利用申請の許可権限者（情報システム管理者, "
                        "approver）です（本基準5(2)①）");
    if (actor->id == created_by)
        return xerr_set(e, X_FORBIDDEN,
                        "自分が作成した申請の事前協議は協議済みにできません（職務の分離）");
    return XOK;
}

enum xcode access_overview(const struct user *actor, struct xerr *e)
{
    if (!actor || has_role(actor, ROLE_CISO) || has_role(actor, ROLE_AUDITOR) ||
        has_role(actor, ROLE_APPROVER))
        return XOK;
    return xerr_set(
        e, X_FORBIDDEN,
        "全庁の集計は統括情報セキュリティ責任者・監査・情報システム管理者が閲覧できます");
}

enum xcode access_audit(const struct user *actor, struct xerr *e)
{
    if (!actor || has_role(actor, ROLE_AUDITOR) || has_role(actor, ROLE_CISO))
        return XOK;
    return xerr_set(
        e, X_FORBIDDEN,
        "監査ログは監査担当（auditor）と統括情報セキュリティ責任者（ciso）のみ閲覧できます");
}

enum xcode access_catalogue(const struct user *actor, struct xerr *e)
{
    if (!actor)
        return xerr_set(e, X_INVALID, "--as で操作する利用者を指定してください");
    if (has_role(actor, ROLE_CISO))
        return XOK;
    return xerr_set(e, X_FORBIDDEN,
                    "カタログの版を管理できるのは統括情報セキュリティ責任者（ciso）のみです");
}

enum xcode access_users(const struct user *actor, struct xerr *e)
{
    if (!actor || has_role(actor, ROLE_ADMIN))
        return XOK;
    return xerr_set(e, X_FORBIDDEN, "利用者を管理できるのは利用者管理担当（admin）のみです");
}
